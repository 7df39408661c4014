#!/usr/bin/env pwsh
# Thin wrapper over the same dotnet commands the README and .ci/run use.
#   ./build.ps1          build
#   ./build.ps1 test     run every test (dotnet test)
#   ./build.ps1 run      start the gateway on http://localhost:8000 with the embedded simulator
#   ./build.ps1 bench    run the benchmark suite
#   ./build.ps1 publish  the deployable native executable into out/ (docs/DEPLOYMENT.md)
param([ValidateSet('build', 'test', 'run', 'bench', 'publish')][string]$Task = 'build')
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
switch ($Task) {
    'build' { dotnet build LettaSockets.sln }
    'test'  { dotnet test LettaSockets.sln }
    'run'   { dotnet run --project src/Server }
    'bench' { dotnet run -c Release --project bench -- all }
    'publish' { dotnet publish src/Server -c Release -r linux-x64 -o out }
}
exit $LASTEXITCODE
