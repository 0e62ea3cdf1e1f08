@echo off
rem xl_gongkai 的 Windows 安装（每个用户一次，不需要管理员权限，不需要联网）。
rem 用法：install.cmd [python.exe 的完整路径]
rem   不写路径时使用 Python 启动器 py -3.13（python.org 的 3.13 安装包自带）。
rem 双击运行时，结束前等按任意键，好看清结果；在命令提示符窗口中运行时不等。
rem 创建环境和安装的详细输出记入 %LOCALAPPDATA%\xl_gongkai\logs\install.log。
rem 本文件以 GBK 保存、CRLF 换行（中文 Windows 的 cmd.exe 这样读批处理文件）；显示路径的地方都加引号，
rem 因为路径中可能有 &、括号等 cmd 的特殊字符。
setlocal
set "HERE=%~dp0"
set "VENV=%LOCALAPPDATA%\xl_gongkai\venv"
set "LOGDIR=%LOCALAPPDATA%\xl_gongkai\logs"
set "PIP_DISABLE_PIP_VERSION_CHECK=1"
set "RC=1"
set "PAUSE_AT_END="
setlocal EnableDelayedExpansion
if /i not "!CMDCMDLINE:%~nx0=!"=="!CMDCMDLINE!" (endlocal & set "PAUSE_AT_END=1") else endlocal
set PY=py -3.13
if not "%~1"=="" set PY="%~1"

if not exist "%HERE%wheels\" goto notextracted
if not exist "%LOGDIR%\" mkdir "%LOGDIR%" >nul 2>&1
set "LOG=%LOGDIR%\install.log"
if not exist "%LOGDIR%\" set "LOG=%TEMP%\xl_gongkai-install.log"
echo ==== install.cmd %DATE% %TIME% >>"%LOG%"

fltmc >nul 2>&1
if errorlevel 1 goto checkpython
echo.
echo 注意：这个窗口是“以管理员身份运行”的。安装会写入当前账户 "%USERNAME%" 的文件夹
echo   "%LOCALAPPDATA%"
echo 只有这个账户的 Excel 能使用。要使用 Excel 的如果是另一个账户，请按 N，
echo 再用那个账户登录，直接双击 install.cmd（不需要管理员权限）。
choice /c YN /n /m "仍要为这个账户安装吗？按 Y 继续，按 N 退出："
if errorlevel 2 goto elevated
if not errorlevel 1 goto elevated
echo elevated: installing for "%USERNAME%" >>"%LOG%"

:checkpython
echo [1/4] 检查 Python……
%PY% -c "import struct, sys; print(sys.executable, sys.version); sys.exit(0 if sys.version_info[:2] == (3, 13) and struct.calcsize('P') == 8 else 13)" >>"%LOG%" 2>&1
set "RC=%ERRORLEVEL%"
if "%RC%"=="13" goto wrongpython
if not "%RC%"=="0" goto nopython

echo [2/4] 在 "%VENV%" 创建 Python 环境……
%PY% -m venv "%VENV%" >>"%LOG%" 2>&1
if errorlevel 1 goto venvfailed

echo [3/4] 从本安装包离线安装 xl_gongkai 及其依赖（逐个核对 SHA-256）……
"%VENV%\Scripts\python.exe" -m pip install --no-index --find-links "%HERE%wheels" --require-hashes -r "%HERE%requirements.txt" >>"%LOG%" 2>&1
if errorlevel 1 goto pipfailed

echo [4/4] 让 Excel 的按钮使用这个 Python，并检查……
"%VENV%\Scripts\xl-gongkai.exe" excel install
set "RC=%ERRORLEVEL%"
echo excel install: exit code %RC% >>"%LOG%"
if not "%RC%"=="0" goto checkfailed

echo.
echo 安装完成。模板在本安装包中："%HERE%template.xlsm"
echo 第一次打开模板时，请按《安装说明.txt》中“首次使用”一节启用宏。
goto end

:notextracted
set "RC=1"
echo.
echo 找不到安装包中的 wheels 文件夹："%HERE%wheels"
echo 请先把整个压缩包解压（右键压缩包 → 全部解压缩），再双击解压出来的 install.cmd。
goto end

:elevated
set "RC=1"
echo.
echo 没有安装。请用要使用 Excel 的账户登录，直接双击 install.cmd（不需要管理员权限）。
goto end

:nopython
set "RC=1"
echo.
echo 没有找到 Python 3.13（%PY%）。请先安装 python.org 的 Python 3.13 Windows 安装包
echo （64 位，选“为当前用户安装”即可，不需要管理员），或者把 python.exe 的完整路径写在命令后面，
echo 例如：install.cmd "C:\Python313\python.exe"
echo 详细输出已记入："%LOG%"
goto end

:wrongpython
set "RC=1"
echo.
echo 找到的 Python 不是 64 位的 Python 3.13（%PY%，它的版本已记入日志）。本安装包中的文件
echo 只适用于 64 位 Python 3.13：请安装 python.org 的 Python 3.13（64 位），或指定它的 python.exe。
echo 详细输出已记入："%LOG%"
goto end

:venvfailed
set "RC=1"
echo.
echo 找到了 Python 3.13，但没能在 "%VENV%" 创建环境。
echo 常见原因：Excel 正在使用这个环境（请关闭所有 Excel 窗口后再运行）、磁盘已满、安全软件拦截。
echo 详细输出已记入："%LOG%"，联系维护人员时请附上该文件。
goto end

:pipfailed
set "RC=1"
echo.
echo 离线安装没有完成（没有联网；已有的工作簿都没有被修改）。
echo 常见原因：安装包不完整（请重新下载并核对 SHA256SUMS）、Excel 正在使用这个环境、安全软件拦截。
echo 详细输出已记入："%LOG%"，联系维护人员时请附上该文件。
goto end

:checkfailed
echo.
echo 环境已经装好，但让 Excel 使用它的配置或检查没有通过：请按上面每一项的说明处理，
echo 处理后可运行 "%VENV%\Scripts\xl-gongkai.exe" excel doctor 再检查；需要时把上面的输出发给维护人员。
goto end

:end
if defined PAUSE_AT_END pause
exit /b %RC%
