; Inno Setup 6 script for the Windows installer of QuantDesk.
; Built by packaging/build_installers.py (packaging/installers/windows.py), which runs:
;   iscc /DAppVersion=<version> /DSourceDir=<repo>\dist\quantdesk /DOutputDir=<repo>\dist quantdesk.iss
; The version comes only from the command line (it is pyproject.toml's [project] version).

#ifndef AppVersion
  #error AppVersion is required: iscc /DAppVersion=<version> quantdesk.iss
#endif
#define RepoDir AddBackslash(SourcePath) + "..\.."
#ifndef SourceDir
  #define SourceDir RepoDir + "\dist\quantdesk"
#endif
#ifndef OutputDir
  #define OutputDir RepoDir + "\dist"
#endif

[Setup]
; The AppId ties upgrades and the uninstaller together: never change it.
AppId={{261E843F-3FF6-4C8E-ADD6-422F71E2FF15}
AppName=QuantDesk
AppVersion={#AppVersion}
AppPublisher=QuantDesk
DefaultDirName={autopf}\QuantDesk
DisableProgramGroupPage=yes
; Installs for the current user without elevation, or for all users if chosen in the dialog.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
LicenseFile={#RepoDir}\LICENSE
SetupIconFile={#RepoDir}\resources\icons\quantdesk.ico
UninstallDisplayIcon={app}\quantdesk.exe
OutputDir={#OutputDir}
OutputBaseFilename=quantdesk-{#AppVersion}-windows-x64-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\QuantDesk"; Filename: "{app}\quantdesk.exe"
Name: "{autodesktop}\QuantDesk"; Filename: "{app}\quantdesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\quantdesk.exe"; Description: "{cm:LaunchProgram,QuantDesk}"; Flags: nowait postinstall skipifsilent
