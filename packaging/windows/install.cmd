@echo off
rem xl_gongkai 的 Windows 安装（每个用户一次，不需要管理员权限，不需要联网）。
rem 用法：install.cmd [python.exe 的完整路径]
rem   不写路径时使用 Python 启动器 py -3.13（python.org 的 3.13 安装包自带）。
setlocal
set "HERE=%~dp0"
set "VENV=%LOCALAPPDATA%\xl_gongkai\venv"
set "PIP_DISABLE_PIP_VERSION_CHECK=1"
if "%~1"=="" (set PY=py -3.13) else (set PY="%~1")

echo [1/3] 在 %VENV% 创建 Python 环境……
%PY% -m venv "%VENV%"
if errorlevel 1 goto nopython

echo [2/3] 从本安装包离线安装 xl_gongkai 及其依赖（逐个核对 SHA-256）……
"%VENV%\Scripts\python.exe" -m pip install --no-index --find-links "%HERE%wheels" --require-hashes -r "%HERE%requirements.txt"
if errorlevel 1 goto failed

echo [3/3] 让 Excel 的按钮使用这个 Python，并检查……
"%VENV%\Scripts\xl-gongkai.exe" excel install
if errorlevel 1 goto failed

echo.
echo 安装完成。模板在本安装包中：%HERE%template.xlsm
exit /b 0

:nopython
echo.
echo 没有找到 Python 3.13。请先安装 python.org 的 Windows 安装包（64 位，“为当前用户安装”即可，不需要管理员），
echo 或者把 python.exe 的完整路径写在命令后面，例如：install.cmd C:\Python313\python.exe
exit /b 1

:failed
echo.
echo 安装没有完成，请把上面的输出发给维护人员。已有的工作簿和文件都没有被修改。
exit /b 1
