# Installation and packages: `cmake --install` places the binaries, the launcher (.desktop),
# the AppStream metainfo, the icon, the lessons and the licences; CPack makes a .deb (its
# dependencies found by dpkg-shlibdeps) and a .tar.gz of the same tree.
include(GNUInstallDirs)

set(KVSCOPE_APP_ID org.kvscope.KVScope)

install(TARGETS kvscope-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(KVSCOPE_GUI)
  install(TARGETS kvscope RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${PROJECT_SOURCE_DIR}/resources/${KVSCOPE_APP_ID}.desktop
          DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/${KVSCOPE_APP_ID}.metainfo.xml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/kvscope.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
          RENAME ${KVSCOPE_APP_ID}.svg)
endif()
if(EXISTS ${PROJECT_SOURCE_DIR}/resources/lessons)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/lessons
          DESTINATION ${CMAKE_INSTALL_DATADIR}/kvscope)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/docs/third-party-licenses.md
        ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/kvscope)

set(CPACK_PACKAGE_NAME kvscope)
set(CPACK_PACKAGE_VENDOR "The KVScope authors")
set(CPACK_PACKAGE_CONTACT "The KVScope authors <kvscope@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "See and measure the key/value cache of transformer inference")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB TGZ)
set(CPACK_PACKAGE_FILE_NAME kvscope-${PROJECT_VERSION}-${CMAKE_SYSTEM_PROCESSOR})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The offscreen/xcb platform plugins are loaded at run time, so shlibdeps cannot see them.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "KVScope steps a real transformer through prefill and decode and shows its KV cache:\n attention rows, per-layer cache growth, cached vs recompute cost, a what-if memory\n calculator for MHA/GQA/MQA/MLA and fp16/fp8/int8/int4, paging and quantization.")
include(CPack)
