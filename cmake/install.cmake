# `cmake --install <build> [--prefix P]`, DESTDIR-aware: the binary, the configuration, the demo
# pages with the two browser libraries they load, and the systemd unit. An installed prism reads
# PRISM_DEFAULT_CONFIG_DIR and finds its pages under PRISM_DEFAULT_DATA_DIR, both derived from
# CMAKE_INSTALL_PREFIX when the build is configured.
set(PRISM_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "Where the systemd unit is installed, relative to the prefix (or absolute)")

install(TARGETS prism RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

file(GLOB prism_conf_files ${CMAKE_SOURCE_DIR}/conf/*.jcfg)
install(FILES ${prism_conf_files} DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/prism)

install(DIRECTORY ${CMAKE_SOURCE_DIR}/web/ DESTINATION ${CMAKE_INSTALL_DATADIR}/prism/web
        PATTERN node_modules EXCLUDE
        PATTERN package.json EXCLUDE
        PATTERN package-lock.json EXCLUDE)
# The pages load these from node_modules/ (scripts/install-deps fetches them); only the files
# served, with their licences.
set(prism_web_modules ${CMAKE_SOURCE_DIR}/web/node_modules)
if(NOT EXISTS ${prism_web_modules}/janus-gateway/npm/dist/janus.es.js)
  message(WARNING "web/node_modules is missing: the installed demo pages will lack janus.js "
                  "and adapter.js (run scripts/install-deps)")
endif()
install(FILES ${prism_web_modules}/janus-gateway/npm/dist/janus.es.js
        DESTINATION ${CMAKE_INSTALL_DATADIR}/prism/web/node_modules/janus-gateway/npm/dist
        OPTIONAL)
install(FILES ${prism_web_modules}/janus-gateway/COPYING
        DESTINATION ${CMAKE_INSTALL_DATADIR}/prism/web/node_modules/janus-gateway OPTIONAL)
install(FILES ${prism_web_modules}/webrtc-adapter/out/adapter.js
        DESTINATION ${CMAKE_INSTALL_DATADIR}/prism/web/node_modules/webrtc-adapter/out OPTIONAL)
install(FILES ${prism_web_modules}/webrtc-adapter/LICENSE.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/prism/web/node_modules/webrtc-adapter OPTIONAL)

# The unit names the installed binary and configuration folder.
set(PRISM_INSTALLED_BINARY "${CMAKE_INSTALL_FULL_BINDIR}/prism")
configure_file(${CMAKE_SOURCE_DIR}/conf/prism.service ${CMAKE_BINARY_DIR}/prism.service @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/prism.service DESTINATION ${PRISM_SYSTEMD_UNIT_DIR})
