@echo off
rem migaudit launcher for Windows (Hyper-V hosts): the java call and the classpath, nothing more.
rem Needs a Java 17+ runtime (JAVA_HOME, else java on PATH); live capture needs Npcap (pcap4j backend).
rem Untested on Windows: the release build only checks that the classpath below exists in the archive.
setlocal
set "LIB=%~dp0..\lib"
set "JAVA=java"
if defined JAVA_HOME set "JAVA=%JAVA_HOME%\bin\java"
set "CP=%LIB%\*"
if /i "%~1"=="replay" set "CP=%LIB%\*;%LIB%\broker\*"
"%JAVA%" %MIGAUDIT_JAVA_OPTS% -cp "%CP%" io.migaudit.cli.MigauditCommand %*
