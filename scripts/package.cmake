# The Debian package, made by CPack: gonet_X.Y.Z_ARCH.deb, installing to /usr. scripts/package.sh
# makes it from the Release build; the package test (tests/package/) from the build it runs in.
#
# A plain `cmake --install` and the package differ only in the licence: a plain install puts
# LICENSE in share/doc/gonet/ (component "license"); the package carries it as Debian's copyright
# file instead, beside the changelog Debian wants (component "deb", which only CPack installs).

set(GONET_MAINTAINER "gonet maintainers <maintainers@users.noreply.h-seed-4a6704d0.example>"
    CACHE STRING "The Maintainer of the Debian package: NAME <EMAIL>")

set(debian_dir ${PROJECT_BINARY_DIR}/debian)

# Debian's copyright file, in its machine-readable format, from LICENSE (Debian calls MIT
# "Expat"): the text indented by one space, a blank line written as " .".
file(READ ${PROJECT_SOURCE_DIR}/LICENSE license)
if(NOT license MATCHES "^MIT License\n+Copyright \\(c\\) ([^\n]+)\n\n(.+)$")
  message(FATAL_ERROR "LICENSE is not the MIT licence with one Copyright (c) line")
endif()
set(copyright_holder "${CMAKE_MATCH_1}")
string(STRIP "${CMAKE_MATCH_2}" license_text)
string(REPLACE "\n\n" "\n.\n" license_text "${license_text}")
string(REPLACE "\n" "\n " license_text " ${license_text}")
file(CONFIGURE OUTPUT ${debian_dir}/copyright CONTENT
"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: ${PROJECT_NAME}

Files: *
Copyright: ${copyright_holder}
License: Expat
${license_text}
")

# A native package's changelog: one entry, for this version, dated by the last commit, so that
# the same source makes the same package (outside git: now, or SOURCE_DATE_EPOCH when set).
execute_process(COMMAND git log -1 --format=%cD WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                OUTPUT_VARIABLE changelog_date OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT changelog_date)
  string(TIMESTAMP changelog_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
endif()
file(CONFIGURE OUTPUT ${debian_dir}/changelog CONTENT
"${PROJECT_NAME} (${PROJECT_VERSION}) unstable; urgency=medium

  * Release ${PROJECT_VERSION}. What each program does and promises is in
    /usr/share/doc/${PROJECT_NAME}/README.md.

 -- ${GONET_MAINTAINER}  ${changelog_date}
")
add_custom_command(OUTPUT ${debian_dir}/changelog.gz
                   COMMAND gzip -9nc ${debian_dir}/changelog > ${debian_dir}/changelog.gz
                   DEPENDS ${debian_dir}/changelog)
add_custom_target(debian_changelog ALL DEPENDS ${debian_dir}/changelog.gz)
install(FILES ${debian_dir}/copyright ${debian_dir}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT deb EXCLUDE_FROM_ALL)

# CPack packages what is built and never builds (its "preinstall" step would otherwise build
# everything first): the package test runs beside tests that are running the programs.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ${PROJECT_NAME})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${GONET_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "TCP clock, echo and chat servers and netcat clients from The Go Programming Language")
set(CPACK_PACKAGE_DESCRIPTION
    "The programs of chapter 8 of Donovan and Kernighan's book, rebuilt in C++20 on
Asio coroutines: clock1 and clock2 (a clock server, one client at a time or
every client at once), reverb1 and reverb2 (an echo server that shouts,
repeats and whispers each line), netcat1, netcat2 and netcat3 (minimal TCP
clients), clockwall (a table of several clock servers at once) and chat
(the chapter's chat server, whose client is netcat3).
The servers bound what a client can cost them and end cleanly on SIGTERM.")
# The shared libraries the programs link, found by dpkg-shlibdeps, are the dependencies.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
# Whatever the umask of whoever packages, directories 0755 as Debian wants.
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
    GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
# One package of every component but the plain install's LICENSE.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL Unspecified deb)
include(CPack)
