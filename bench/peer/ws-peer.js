#!/usr/bin/env node
// The peer for bench/run's API comparison: the plain Node.js server a user
// would write instead of Camera Station, answering the same calls the load
// run makes, over the same WebSocket JSON-RPC 2.0 envelope:
//   authenticate (HS256 JWT checked with Node's crypto), subscribe_events,
//   ping -> "pong", get_camera_list -> the station's answer with no cameras.
// It uses the `ws` package from npm (installed by bench/peer/install.sh), with
// its defaults (no compression; TCP_NODELAY on, as the station's sockets).
//
//   node ws-peer.js --port PORT --secret SECRET
// Prints "listening PORT" once bound; exits on SIGTERM.
'use strict';
const crypto = require('crypto');
const path = require('path');
const { WebSocketServer } = require(path.join(__dirname, 'node_modules', 'ws'));

function arg(name, fallback) {
    const i = process.argv.indexOf('--' + name);
    return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const port = Number(arg('port', '0'));
const secret = Buffer.from(arg('secret', ''), 'utf8');

function b64urlDecode(s) {
    return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

// Same checks the station makes on a JWT: three parts, HS256, signature, exp.
function verifyJwt(token) {
    if (typeof token !== 'string' || token.length > 8192) return null;
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    let header, claims;
    try {
        header = JSON.parse(b64urlDecode(parts[0]).toString('utf8'));
        claims = JSON.parse(b64urlDecode(parts[1]).toString('utf8'));
    } catch (e) {
        return null;
    }
    if (header.alg !== 'HS256') return null;
    const want = crypto.createHmac('sha256', secret).update(parts[0] + '.' + parts[1]).digest();
    const got = b64urlDecode(parts[2]);
    if (got.length !== want.length || !crypto.timingSafeEqual(got, want)) return null;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return null;
    if (!['viewer', 'operator', 'admin'].includes(claims.role)) return null;
    return claims;
}

function reply(ws, id, result) {
    ws.send(JSON.stringify({ jsonrpc: '2.0', result, id }));
}
function fail(ws, id, code, message) {
    ws.send(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: id === undefined ? null : id }));
}

const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/ws', maxPayload: 1024 * 1024, backlog: 1024 });
wss.on('connection', (ws) => {
    let claims = null;
    ws.on('message', (data, isBinary) => {
        let msg;
        try {
            msg = JSON.parse(isBinary ? data : data.toString('utf8'));
        } catch (e) {
            return fail(ws, null, -32700, 'Parse error');
        }
        if (msg === null || typeof msg !== 'object' || Array.isArray(msg) || msg.jsonrpc !== '2.0' || typeof msg.method !== 'string')
            return fail(ws, msg && msg.id, -32600, 'Invalid Request');
        const id = msg.id;
        const params = msg.params === undefined ? {} : msg.params;
        switch (msg.method) {
        case 'ping':
            return reply(ws, id, 'pong');
        case 'authenticate': {
            const c = verifyJwt(params.auth_token);
            if (!c) return fail(ws, id, -32001, 'Authentication failed or token expired');
            claims = c;
            return reply(ws, id, {
                authenticated: true, role: c.role, permissions: ['view'],
                expires_at: new Date(c.exp * 1000).toISOString(), session_id: crypto.randomUUID(),
                user_id: c.user_id || '', auth_method: 'jwt',
            });
        }
        }
        if (!claims) return fail(ws, id, -32001, 'Authentication failed or token expired');
        if (claims.exp * 1000 <= Date.now()) return fail(ws, id, -32001, 'Authentication failed or token expired');
        switch (msg.method) {
        case 'subscribe_events':
            return reply(ws, id, { subscribed: true, topics: Array.isArray(params.topics) ? params.topics : [], filters: {}, denied_topics: [] });
        case 'get_camera_list':
            return reply(ws, id, { cameras: [], total: 0, connected: 0 });
        default:
            return fail(ws, id, -32601, 'Method not found');
        }
    });
});
wss.on('listening', () => console.log('listening ' + wss.address().port));
process.on('SIGTERM', () => { wss.close(); process.exit(0); });
