using System.Reflection;

namespace LettaSockets.Bench.Harness;

/// <summary>Finds the repository (for src/, docs/ and bench/results/) from wherever the bench runs.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    public static string ResultsDirectory => Path.Combine(Root, "bench", "results");

    public static string BenchmarksDoc => Path.Combine(Root, "docs", "BENCHMARKS.md");

    private static string Find()
    {
        for (DirectoryInfo? dir = new(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (IsRoot(dir.FullName))
            {
                return dir.FullName;
            }
        }

        // Run from an artifacts path: the project file recorded where the repository is.
        string? recorded = typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (recorded is not null && IsRoot(recorded))
        {
            return recorded;
        }

        throw new InvalidOperationException("Run the bench from inside the LettaSockets repository.");
    }

    private static bool IsRoot(string path) =>
        File.Exists(Path.Combine(path, "LettaSockets.sln")) && Directory.Exists(Path.Combine(path, "src", "Server"));
}
