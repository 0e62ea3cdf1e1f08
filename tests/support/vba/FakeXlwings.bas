' A FAKE (named as such) of two of the three xlwings functions the ribbon module calls: GetConfig and
' RunPython. LibreOffice Basic cannot compile xlwings.bas, and RunPython starts a Windows process; so the
' test removes xlwings' modules from its copy of the workbook and puts this one in their place. The third,
' FileExists, is LibreOffice Basic's own runtime function of that name and meaning (it checks a real file).
' FakeSetUp says what the functions do in a scenario; FakeState tells the test what happened.
Option Explicit

Public fakeInterpreter As String
Public fakeOutcome As String
Public fakeRuns As Long
Public fakeCursorDuringRun As Long

Public Sub FakeSetUp(interpreter As String, outcome As String)
    fakeInterpreter = interpreter
    fakeOutcome = outcome
    fakeRuns = 0
    fakeCursorDuringRun = 0
End Sub

Public Function GetConfig(configKey As String, Optional default As String = "", Optional source As String = "") As Variant
    If configKey = "INTERPRETER_WIN" Then
        GetConfig = fakeInterpreter
    Else
        GetConfig = default
    End If
End Function

' "raise": the error a refused process start left in a real vba.log (70 Permission denied); "shell": what
' xlwings does to start Python (WScript.Shell's Run), which fails in LibreOffice with LibreOffice's own error;
' "fail": what xlwings does when Python exits with an error and SHOW_ERROR_POPUPS is False (a sheet "Error"
' with the log, -1); anything else: Python ran (0).
Public Function RunPython(PythonCommand As String)
    Dim ws As Object, shell As Object
    fakeRuns = fakeRuns + 1
    fakeCursorDuringRun = Application.Cursor
    If fakeOutcome = "raise" Then
        Err.Raise 70, , "Permission denied"
    ElseIf fakeOutcome = "shell" Then
        Set shell = CreateObject("WScript.Shell")
        RunPython = shell.Run("cmd.exe /C exit 0", 0, True)
    ElseIf fakeOutcome = "fail" Then
        Set ws = ThisWorkbook.Worksheets.Add
        ws.Name = "Error"
        ws.Range("A1").Value = "Traceback: ModuleNotFoundError: No module named 'xl_gongkai'"
        RunPython = -1
    Else
        RunPython = 0
    End If
End Function

Public Function FakeState() As String
    Dim ws As Object, names As String
    For Each ws In ThisWorkbook.Worksheets
        If ws.Name = "Error" Then names = "Error"
    Next ws
    FakeState = fakeRuns & "|" & fakeCursorDuringRun & "|" & Application.Cursor & "|" & names
End Function
