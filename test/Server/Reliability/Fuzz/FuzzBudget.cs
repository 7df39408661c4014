using CsCheck;

namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>
/// How long a fuzz test runs. By default (CI): one fixed batch of <see cref="Iterations"/> samples
/// generated from a fixed seed, the same on every run (CsCheck seeds only the first sample of a run,
/// so the batch is one sample). <c>LETTASOCKETS_FUZZ_SECONDS</c>: that long, from random seeds;
/// <c>LETTASOCKETS_FUZZ_SEED</c>: the one sample CsCheck printed for a failure, replayed.
/// </summary>
public readonly record struct FuzzBudget(string? Seed, long Iterations, int Seconds, bool Batch = false)
{
    public const string SecondsVariable = "LETTASOCKETS_FUZZ_SECONDS";
    public const string SeedVariable = "LETTASOCKETS_FUZZ_SEED";

    public static FuzzBudget FromEnvironment(string ciSeed, int ciIterations)
    {
        string? seed = Environment.GetEnvironmentVariable(SeedVariable);
        if (int.TryParse(Environment.GetEnvironmentVariable(SecondsVariable), out int seconds) && seconds > 0)
        {
            return new FuzzBudget(seed, -1, seconds); // random seeds unless one is given; CsCheck prints the failing one
        }

        return seed is not null ? new FuzzBudget(seed, 1, -1) : new FuzzBudget(ciSeed, ciIterations, -1, Batch: true);
    }

    /// <summary>Runs <paramref name="run"/> on what <paramref name="gen"/> generates within this budget; on a
    /// failure CsCheck shrinks the sample and throws with its seed.</summary>
    public Task SampleAsync<T>(Gen<T> gen, Func<T, Task> run, Action<string> log, Func<T, string> print)
    {
        if (Batch)
        {
            async Task RunBatchAsync(T[] batch)
            {
                foreach (T sample in batch)
                {
                    await run(sample);
                }
            }

            int count = (int)Iterations;
            return gen.Array[count, count].SampleAsync(RunBatchAsync, log, seed: Seed, iter: 1, threads: 1,
                print: batch => string.Join("\n--- next sample ---\n", batch.Select(print)));
        }

        return gen.SampleAsync(run, log, seed: Seed, iter: Iterations, time: Seconds, threads: 1, print: print);
    }

    /// <summary>The bound on the whole test: the asked-for time plus room for the last sample and its shrinking, or 5 minutes in CI.</summary>
    public TimeSpan Deadline => Seconds > 0 ? TimeSpan.FromSeconds(Seconds + 240) : TimeSpan.FromMinutes(5);

    public override string ToString() => Seconds > 0
        ? $"{Seconds} s from {(Seed ?? "random seeds")}"
        : Batch ? $"a fixed batch of {Iterations} from seed {Seed}" : $"{Iterations} sample(s) from seed {Seed}";
}
