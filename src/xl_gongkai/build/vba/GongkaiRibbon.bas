Attribute VB_Name = "GongkaiRibbon"
Option Explicit

' Ribbon callbacks of the xl_gongkai template (tab: see customUI14.xml).
' Each callback only calls a fixed entry point of the installed Python package through
' xlwings' RunPython; all logic, messages and error handling live in Python (xl_gongkai.excel).
' The only thing handled here is a failure to start Python at all (for example a blocked
' process), shown with the Chinese text kept in the workbook's defined names.

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

Private Sub Gk_Run(code As String)
    On Error GoTo Failed
    RunPython code
    Exit Sub
Failed:
    MsgBox ThisWorkbook.Names("gk_info__vba_error_message").RefersToRange.Value & vbCrLf & vbCrLf & _
        "(" & Err.Number & ": " & Err.Description & ")", vbExclamation, _
        ThisWorkbook.Names("gk_info__vba_error_title").RefersToRange.Value
End Sub
