using System.Text.Json;
using System.Text.Json.Serialization;
using LettaSockets.Bench.Harness;

namespace LettaSockets.Bench.Report;

/// <summary>
/// <c>bench/results/latest.json</c> (what the doc is generated from) plus one timestamped copy per run,
/// so earlier measurements stay comparable.
/// </summary>
internal sealed class ResultStore
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private ResultStore(BenchResults results) => Results = results;

    public static string LatestPath => Path.Combine(Repository.ResultsDirectory, "latest.json");

    public BenchResults Results { get; }

    public static ResultStore Load()
    {
        if (File.Exists(LatestPath))
        {
            try
            {
                return new ResultStore(JsonSerializer.Deserialize<BenchResults>(File.ReadAllText(LatestPath), Json) ?? new BenchResults());
            }
            catch (JsonException e)
            {
                Console.Error.WriteLine($"Ignoring unreadable {LatestPath}: {e.Message}");
            }
        }

        return new ResultStore(new BenchResults());
    }

    /// <summary>Writes latest.json and a timestamped copy; returns the copy's path.</summary>
    public string Save()
    {
        Directory.CreateDirectory(Repository.ResultsDirectory);
        string text = JsonSerializer.Serialize(Results, Json);
        File.WriteAllText(LatestPath, text + Environment.NewLine);
        string copy = Path.Combine(Repository.ResultsDirectory, $"run-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}.json");
        File.WriteAllText(copy, text + Environment.NewLine);
        return copy;
    }
}
