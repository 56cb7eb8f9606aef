# Included by the top-level CMakeLists.txt before any install() rule, so it
# runs first: the generated systemd units name the binary from the
# configure-time prefix, and installing under another prefix would leave them
# pointing at nothing (how the previous service failed). DESTDIR staging is fine.
install(CODE "
  if(NOT CMAKE_INSTALL_PREFIX STREQUAL \"${CMAKE_INSTALL_PREFIX}\")
    message(FATAL_ERROR \"camera-station: the systemd units name ${CMAKE_INSTALL_FULL_BINDIR}/camera-station; \"
                        \"installing with prefix \${CMAKE_INSTALL_PREFIX} would leave them pointing at nothing. \"
                        \"Reconfigure with -DCMAKE_INSTALL_PREFIX=\${CMAKE_INSTALL_PREFIX}, or use DESTDIR= to stage.\")
  endif()")
