# Read by cpack at packaging time. STATION_DEB_VERSION overrides the package
# version (tests build an "upgrade" of the same tree with it).
if(DEFINED ENV{STATION_DEB_VERSION} AND NOT "$ENV{STATION_DEB_VERSION}" STREQUAL "")
  set(CPACK_PACKAGE_VERSION "$ENV{STATION_DEB_VERSION}")
  set(CPACK_DEBIAN_PACKAGE_VERSION "$ENV{STATION_DEB_VERSION}")
endif()
