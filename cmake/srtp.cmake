# libsrtp2 for Prism, prism-bench and the tests: the OpenSSL build of scripts/build-srtp (static,
# from Debian's source package) when PRISM_SRTP_PREFIX holds it, else the system library found
# with pkg-config. Debian's binary package is built with NSS, whose protect cost grows with the
# number of SRTP sessions in the process, so that fallback gets a warning here and at start-up.
#
# Defines the target prism_srtp and PRISM_SRTP_DEFINITIONS (the library description that
# media/srtp/srtp.c reports).
set(PRISM_SRTP_PREFIX "${CMAKE_SOURCE_DIR}/build/deps/libsrtp2-openssl" CACHE PATH
    "Prefix of the libsrtp2 OpenSSL build (scripts/build-srtp); the system libsrtp2 without it")
set(srtp_build_info "${PRISM_SRTP_PREFIX}/prism-build-info")

# Reads key=value lines of the build-info file into srtp_<key> variables.
function(prism_read_srtp_build_info file)
  file(STRINGS "${file}" lines REGEX "^[a-z_]+=")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "=.*" "" key "${line}")
    string(REGEX REPLACE "^[^=]*=" "" value "${line}")
    set(srtp_${key} "${value}" PARENT_SCOPE)
  endforeach()
endfunction()

# The crypto engine of the system libsrtp2, from the libraries its static link needs.
function(prism_system_srtp_crypto out)
  execute_process(COMMAND ${PKG_CONFIG_EXECUTABLE} --libs --static libsrtp2
                  OUTPUT_VARIABLE libs OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(libs MATCHES "-lnss3")
    set(${out} "NSS" PARENT_SCOPE)
  elseif(libs MATCHES "-lcrypto")
    set(${out} "OpenSSL" PARENT_SCOPE)
  else()
    set(${out} "libsrtp's own ciphers" PARENT_SCOPE)
  endif()
endfunction()

add_library(prism_srtp INTERFACE)
if(EXISTS "${srtp_build_info}" AND EXISTS "${PRISM_SRTP_PREFIX}/lib/libsrtp2.a")
  prism_read_srtp_build_info("${srtp_build_info}")
  # Static, so the binary cannot meet the system's libsrtp2.so.1 (same soname) at run time.
  add_library(prism_srtp_openssl STATIC IMPORTED)
  set_target_properties(prism_srtp_openssl PROPERTIES
    IMPORTED_LOCATION "${PRISM_SRTP_PREFIX}/lib/libsrtp2.a"
    INTERFACE_INCLUDE_DIRECTORIES "${PRISM_SRTP_PREFIX}/include")
  target_link_libraries(prism_srtp INTERFACE prism_srtp_openssl PkgConfig::OPENSSL)
  set(srtp_origin "built from Debian's source package ${srtp_debian_version}")
  set(srtp_fast 1)
  # A new build (another Debian version) reconfigures.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${srtp_build_info}")
  message(STATUS "libsrtp2: ${srtp_upstream_version} with ${srtp_crypto}, ${srtp_origin}")
else()
  pkg_check_modules(SRTP REQUIRED IMPORTED_TARGET libsrtp2)
  target_link_libraries(prism_srtp INTERFACE PkgConfig::SRTP)
  prism_system_srtp_crypto(srtp_crypto)
  set(srtp_origin "system library")
  if(srtp_crypto STREQUAL "OpenSSL")
    set(srtp_fast 1)
  else()
    set(srtp_fast 0)
    message(WARNING "libsrtp2: using the system library (${srtp_crypto}): its protect cost grows "
                    "with the number of SRTP sessions. Run scripts/install-deps to build it with "
                    "OpenSSL into ${PRISM_SRTP_PREFIX}.")
  endif()
  # When scripts/build-srtp creates the default prefix later, its parent folder (build/deps)
  # changes: reconfigure then.
  get_filename_component(srtp_deps_dir "${PRISM_SRTP_PREFIX}" DIRECTORY)
  if(srtp_deps_dir STREQUAL "${CMAKE_SOURCE_DIR}/build/deps")
    file(MAKE_DIRECTORY "${srtp_deps_dir}")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${srtp_deps_dir}")
  endif()
endif()

set(PRISM_SRTP_DEFINITIONS
    PRISM_SRTP_CRYPTO="${srtp_crypto}" PRISM_SRTP_ORIGIN="${srtp_origin}"
    PRISM_SRTP_FAST_WITH_MANY_SESSIONS=${srtp_fast})
