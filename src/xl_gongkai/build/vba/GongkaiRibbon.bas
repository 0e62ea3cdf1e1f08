Attribute VB_Name = "GongkaiRibbon"
Option Explicit

' Ribbon callbacks of the xl_gongkai template (tabs: customUI14.xml, and customUI.xml for older hosts).
' Each callback calls a fixed entry point of the installed Python package through xlwings'
' RunPython; the logic, its messages and its error handling live in Python (xl_gongkai.excel).
' What is handled here is only what happens before Python can speak for itself:
'   - the host is not Microsoft Excel (WPS): xlwings cannot run there;
'   - no interpreter is configured, or the configured one does not exist (checked the way
'     xlwings itself finds it, so that xlwings' English "Could not find Interpreter!" never shows);
'   - Python started but failed before showing anything: the template's xlwings.conf sheet sets
'     SHOW_ERROR_POPUPS = False, so xlwings writes the traceback to a sheet "Error" instead of a
'     message box; it is moved to the log here and a Chinese message names the log;
'   - Python could not be started at all (a VBA error, e.g. blocked by security software).
' The Chinese texts come from the generated module GongkaiText (ASCII source, ChrW).

Private Const ERROR_SHEET As String = "Error"
Private Const LOG_FILE As String = "vba.log"

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

Public Sub Gk_HostInfo(control As IRibbonControl)
    MsgBox Replace(GongkaiText.Gk_T_NotExcel(), "{detail}", Application.Name), vbInformation, GongkaiText.Gk_T_Title()
End Sub

Private Sub Gk_Run(code As String)
    Dim interpreter As String
    If Not Gk_IsExcel() Then
        MsgBox Replace(GongkaiText.Gk_T_NotExcel(), "{detail}", Application.Name), vbInformation, _
            GongkaiText.Gk_T_Title()
        Exit Sub
    End If
    On Error GoTo Failed
    interpreter = Gk_Interpreter()
    If interpreter = "" Then
        Gk_Log "no interpreter configured"
        MsgBox GongkaiText.Gk_T_NotConfigured(), vbExclamation, GongkaiText.Gk_T_Title()
        Exit Sub
    End If
    If Not Gk_IsBareName(interpreter) Then
        If Not FileExists(interpreter) Then
            Gk_Log "interpreter not found: " & interpreter
            MsgBox Replace(GongkaiText.Gk_T_NotFound(), "{path}", interpreter), vbExclamation, _
                GongkaiText.Gk_T_Title()
            Exit Sub
        End If
    End If
    If RunPython(code) <> 0 Then Gk_RunFailed code
    Exit Sub
Failed:
    Gk_Log "could not start Python for [" & code & "]: " & Err.Number & " " & Err.Description
    MsgBox Replace(GongkaiText.Gk_T_StartFailed(), "{detail}", Err.Number & ": " & Err.Description), _
        vbExclamation, GongkaiText.Gk_T_Title()
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

' xlwings looks bare names up on PATH itself; only a full path can be checked before the run.
Private Function Gk_IsBareName(interpreter As String) As Boolean
    Gk_IsBareName = (LCase(interpreter) = "python" Or LCase(interpreter) = "pythonw")
End Function

Private Function Gk_IsExcel() As Boolean
    Gk_IsExcel = (InStr(1, Application.Name, "Microsoft Excel", vbTextCompare) > 0)
End Function

Private Sub Gk_RunFailed(code As String)
    Dim detail As String
    On Error Resume Next
    detail = CStr(ThisWorkbook.Worksheets(ERROR_SHEET).Range("A1").Value)
    If Err.Number = 0 Then
        Application.DisplayAlerts = False
        ThisWorkbook.Worksheets(ERROR_SHEET).Delete
        Application.DisplayAlerts = True
    End If
    Err.Clear
    On Error GoTo 0
    Gk_Log "Python failed for [" & code & "]:" & vbCrLf & detail
    MsgBox Replace(GongkaiText.Gk_T_RunFailed(), "{log}", Gk_LogPath()), vbExclamation, GongkaiText.Gk_T_Title()
End Sub

' The folder of the Python side's log (xl_gongkai.logs.log_dir), and the VBA's own file in it.
Public Function Gk_LogPath() As String
    Dim folder As String
    folder = Environ("XL_GONGKAI_LOG_DIR")
    If folder = "" Then folder = Environ("LOCALAPPDATA") & "\xl_gongkai\logs"
    Gk_LogPath = folder & "\" & LOG_FILE
End Function

' Appends one line to the log; never raises (a locked-down profile must not break a button).
Public Sub Gk_Log(text As String)
    Dim f As Integer, folder As String
    On Error Resume Next
    folder = Environ("XL_GONGKAI_LOG_DIR")
    If folder = "" Then
        MkDir Environ("LOCALAPPDATA") & "\xl_gongkai"
        folder = Environ("LOCALAPPDATA") & "\xl_gongkai\logs"
    End If
    MkDir folder
    Err.Clear
    f = FreeFile
    Open Gk_LogPath() For Append As #f
    Print #f, Format(Now, "yyyy-mm-dd hh:nn:ss") & " " & ThisWorkbook.Name & ": " & text
    Close #f
End Sub
