// Test classes run side by side, each in its own browser context of one shared Chromium, against
// one shared gateway (every test adds its own agents) or, when it restarts a server, its own.
[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 4)]
