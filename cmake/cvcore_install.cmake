# Installs headers, the library and a relocatable CMake package:
#   find_package(cvcore 0.1 CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE cvcore::core)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CVCORE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cvcore)

install(TARGETS cvcore_core EXPORT cvcoreTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/cpp/include/cvcore DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT cvcoreTargets NAMESPACE cvcore:: DESTINATION ${CVCORE_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cvcoreConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cvcoreConfig.cmake
  INSTALL_DESTINATION ${CVCORE_CMAKE_DIR})
# 0.x releases are compatible within a minor version.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cvcoreConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cvcoreConfig.cmake ${PROJECT_BINARY_DIR}/cvcoreConfigVersion.cmake
  DESTINATION ${CVCORE_CMAKE_DIR})
