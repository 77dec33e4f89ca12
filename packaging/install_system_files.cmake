# Install-time part of rssflow's install rules (packaging/CMakeLists.txt runs it through
# install(CODE)): what depends on the final prefix, which is known only now — `cmake --install
# --prefix X` and CPack (prefix /usr, DESTDIR staging) may differ from the configured one.
#   - systemd units, with ExecStart pointing at <prefix>/bin/rssflow;
#   - the man page rssflow(1), written by help2man from the binary's --help (its defaults shown
#     as installed, never as the build tree's);
#   - /etc files (for prefix /usr; <prefix>/etc otherwise): the editable source list and the
#     logrotate rule for the cron example's log folder.
# Expects RSSFLOW_SOURCE_DIR, RSSFLOW_BUILD_DIR, RSSFLOW_BINARY, RSSFLOW_HELP2MAN, RSSFLOW_GZIP.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(sysconf_dir "/etc")
  set(unit_dir "/lib/systemd/system")  # Debian 12's place for packaged units
else()
  set(sysconf_dir "${CMAKE_INSTALL_PREFIX}/etc")
  set(unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
set(data_dir "${CMAKE_INSTALL_PREFIX}/share/rssflow")
set(generated "${RSSFLOW_BUILD_DIR}/packaging/generated")
file(MAKE_DIRECTORY "${generated}")
set(readable OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# The unit in config/deploy/ names /usr/bin/rssflow (the package's path).
file(READ "${RSSFLOW_SOURCE_DIR}/config/deploy/rssflow.service" unit)
string(REPLACE "/usr/bin/rssflow" "${CMAKE_INSTALL_PREFIX}/bin/rssflow" unit "${unit}")
file(WRITE "${generated}/rssflow.service" "${unit}")
file(INSTALL "${generated}/rssflow.service" "${RSSFLOW_SOURCE_DIR}/config/deploy/rssflow.timer"
     DESTINATION "${unit_dir}" PERMISSIONS ${readable})

file(INSTALL "${RSSFLOW_SOURCE_DIR}/config/sources.opml" DESTINATION "${sysconf_dir}/rssflow"
     PERMISSIONS ${readable})
file(INSTALL "${RSSFLOW_SOURCE_DIR}/config/deploy/rssflow.logrotate" DESTINATION "${sysconf_dir}/logrotate.d"
     RENAME rssflow PERMISSIONS ${readable})

if(NOT RSSFLOW_HELP2MAN)
  message(WARNING "help2man not found at configure time: the man page rssflow(1) is not installed "
                  "(apt-get install help2man, then configure again)")
  return()
endif()
file(READ "${RSSFLOW_SOURCE_DIR}/packaging/rssflow.h2m" sections)
string(REPLACE "@DATADIR@" "${data_dir}" sections "${sections}")
string(REPLACE "@SYSCONFDIR@" "${sysconf_dir}" sections "${sections}")
string(REPLACE "@UNITDIR@" "${unit_dir}" sections "${sections}")
file(WRITE "${generated}/rssflow.h2m" "${sections}")
execute_process(
  COMMAND "${CMAKE_COMMAND}" -E env "RSSFLOW_HELP_BINARY=${RSSFLOW_BINARY}" "RSSFLOW_CONFIG_DIR=${data_dir}"
          "${RSSFLOW_HELP2MAN}" --no-info --section 1 --include "${generated}/rssflow.h2m"
          --output "${generated}/rssflow.1" "${RSSFLOW_SOURCE_DIR}/packaging/help_all.sh"
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "help2man failed (${status}): the man page could not be written")
endif()
# gzip -n: no name or time stamp inside, so the package is reproducible.
execute_process(COMMAND "${RSSFLOW_GZIP}" -9nf "${generated}/rssflow.1" RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "gzip failed on the man page")
endif()
file(INSTALL "${generated}/rssflow.1.gz" DESTINATION "${CMAKE_INSTALL_PREFIX}/share/man/man1"
     PERMISSIONS ${readable})
