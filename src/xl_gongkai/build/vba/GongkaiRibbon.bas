Attribute VB_Name = "GongkaiRibbon"
Option Explicit

' Ribbon callbacks of the xl_gongkai template (tabs: customUI14.xml, and customUI.xml for older hosts).
' Each callback calls a fixed entry point of the installed Python package through xlwings'
' RunPython; the logic, its messages and its error handling live in Python (xl_gongkai.excel).
' What is handled here is only what happens before Python can speak for itself:
'   - the host is not Microsoft Excel (WPS): xlwings cannot work there;
'   - no interpreter is configured, or the configured one does not exist (checked the way
'     xlwings itself finds it, so that xlwings' English "Could not find Interpreter!" never shows);
'   - Python started but failed before showing anything: the template's xlwings.conf sheet sets
'     SHOW_ERROR_POPUPS = False, so xlwings writes the traceback to a sheet "Error" instead of a
'     message box; it is moved to the log here and a Chinese message names the log;
'   - Python could not be started at all (a VBA error, e.g. blocked by security software).
' The Chinese texts come from the generated module GongkaiText (ASCII source, ChrW).
'
' Rules every procedure here keeps (tests/test_vba_flow.py checks them on the source in the template):
'   - an error handler copies Err.Number and Err.Description into locals before anything else: any
'     procedure it calls (the log, a message box) may reset Err, and the message must name the error;
'   - while Python works, the status bar says so and the cursor is the wait cursor: a first click on a
'     freshly scanned PC can take many seconds, and Excel may show "Not responding" meanwhile;
'     Gk_EndWait restores both on every way out, before any message is shown;
'   - every message shown is also written to the log (vba.log), with its key and detail.
' No procedure here runs by itself: the workbook has no event handlers (see ThisWorkbook).

Private Const ERROR_SHEET As String = "Error"
Private Const LOG_FILE As String = "vba.log"

' Set while Python works for a click (Gk_BeginWait .. Gk_EndWait): the status bar text it replaced.
Private waiting As Boolean
Private savedStatus As Variant

Public Sub Gk_Check(control As IRibbonControl)
    Gk_Run "import xl_gongkai.excel as gk; gk.check()"
End Sub

Public Sub Gk_Fill(control As IRibbonControl)
    Gk_Run "import xl_gongkai.excel as gk; gk.fill()"
End Sub

Public Sub Gk_Export(control As IRibbonControl)
    Gk_Run "import xl_gongkai.excel as gk; gk.export()"
End Sub

Public Sub Gk_Report(control As IRibbonControl)
    Gk_Run "import xl_gongkai.excel as gk; gk.report()"
End Sub

Public Sub Gk_Diagnose(control As IRibbonControl)
    Gk_Run "import xl_gongkai.excel as gk; gk.diagnose()"
End Sub

' The button of the "WPS" group (2006 ribbon part, which Excel 2007 reads as well).
Public Sub Gk_HostInfo(control As IRibbonControl)
    If Gk_IsExcel() Then
        Gk_Say "wps_info", GongkaiText.Gk_T_WpsInfo(), "", vbInformation
    Else
        Gk_Say "not_excel", Replace(GongkaiText.Gk_T_NotExcel(), "{detail}", Application.Name), Application.Name, _
            vbInformation
    End If
End Sub

Private Sub Gk_Run(code As String)
    Dim interpreter As String, outcome As Variant, detail As String
    Dim errNumber As Long, errText As String
    If Not Gk_IsExcel() Then
        Gk_Say "not_excel", Replace(GongkaiText.Gk_T_NotExcel(), "{detail}", Application.Name), Application.Name, _
            vbInformation
        Exit Sub
    End If
    ' A click while Python still works for the previous one (Excel may pass it on while it waits): ignored.
    If waiting Then Exit Sub
    On Error GoTo Failed
    interpreter = Gk_Interpreter()
    If interpreter = "" Then
        Gk_Say "not_configured", GongkaiText.Gk_T_NotConfigured(), "", vbExclamation
        Exit Sub
    End If
    If Not Gk_IsBareName(interpreter) Then
        If Not FileExists(interpreter) Then
            Gk_Say "not_found", Replace(GongkaiText.Gk_T_NotFound(), "{path}", interpreter), interpreter, vbExclamation
            Exit Sub
        End If
    End If
    Gk_BeginWait
    outcome = RunPython(code)
    Gk_EndWait
    If outcome <> 0 Then Gk_RunFailed code
    Exit Sub
Failed:
    errNumber = Err.Number
    errText = Err.Description
    Gk_EndWait
    Gk_Log "could not start Python for [" & code & "]"
    detail = errNumber & ": " & errText
    Gk_Say "start_failed", Replace(GongkaiText.Gk_T_StartFailed(), "{detail}", detail), detail, vbExclamation
End Sub

' The status bar says that Python works, and the cursor waits (Gk_EndWait restores both).
Private Sub Gk_BeginWait()
    savedStatus = Application.StatusBar
    waiting = True
    Application.Cursor = xlWait
    Application.StatusBar = GongkaiText.Gk_T_Busy()
End Sub

' Restores the cursor and the status bar; never raises (it runs on the way out of a failure too).
Private Sub Gk_EndWait()
    If Not waiting Then Exit Sub
    waiting = False
    On Error Resume Next
    Application.Cursor = xlDefault
    Application.StatusBar = savedStatus
End Sub

' The interpreter RunPython will use: the same keys, in the same order, as xlwings' RunPython.
Private Function Gk_Interpreter() As String
    Dim found As String
    #If Mac Then
        found = GetConfig("INTERPRETER_MAC", "")
    #Else
        found = GetConfig("INTERPRETER_WIN", "")
    #End If
    If found = "" Then found = GetConfig("INTERPRETER", "")
    Gk_Interpreter = found
End Function

' xlwings looks bare names up on PATH itself; only a full path can be checked beforehand.
Private Function Gk_IsBareName(interpreter As String) As Boolean
    Gk_IsBareName = (LCase(interpreter) = "python" Or LCase(interpreter) = "pythonw")
End Function

Private Function Gk_IsExcel() As Boolean
    Gk_IsExcel = (InStr(1, Application.Name, "Microsoft Excel", vbTextCompare) > 0)
End Function

Private Sub Gk_RunFailed(code As String)
    Dim detail As String, found As Boolean
    On Error Resume Next
    detail = CStr(ThisWorkbook.Worksheets(ERROR_SHEET).Range("A1").Value)
    found = (Err.Number = 0)
    Err.Clear
    If found Then
        Application.DisplayAlerts = False
        ThisWorkbook.Worksheets(ERROR_SHEET).Delete
        Application.DisplayAlerts = True
    End If
    On Error GoTo 0
    Gk_Log "Python failed for [" & code & "]:" & vbCrLf & detail
    Gk_Say "run_failed", Replace(GongkaiText.Gk_T_RunFailed(), "{log}", Gk_LogPath()), "", vbExclamation
End Sub

' Shows a message, and writes which one it was (with its detail) to the log first.
Private Sub Gk_Say(key As String, text As String, detail As String, style As Long)
    If detail = "" Then
        Gk_Log "message " & key
    Else
        Gk_Log "message " & key & ": " & detail
    End If
    MsgBox text, style, GongkaiText.Gk_T_Title()
End Sub

' The folder of the Python side's log (xl_gongkai.logs.log_dir), and the VBA's own file in it.
Private Function Gk_LogFolder() As String
    Dim folder As String
    folder = Environ("XL_GONGKAI_LOG_DIR")
    If folder = "" Then folder = Environ("LOCALAPPDATA") & "\xl_gongkai\logs"
    Gk_LogFolder = folder
End Function

Private Function Gk_LogPath() As String
    Gk_LogPath = Gk_LogFolder() & Application.PathSeparator & LOG_FILE
End Function

' Appends one line to the log; never raises (a locked-down profile must not break a button).
Private Sub Gk_Log(text As String)
    Dim f As Integer
    On Error Resume Next
    If Environ("XL_GONGKAI_LOG_DIR") = "" Then MkDir Environ("LOCALAPPDATA") & "\xl_gongkai"
    MkDir Gk_LogFolder()
    f = FreeFile
    Open Gk_LogPath() For Append As #f
    Print #f, Format(Now, "yyyy-mm-dd hh:nn:ss") & " " & ThisWorkbook.Name & ": " & text
    Close #f
End Sub
