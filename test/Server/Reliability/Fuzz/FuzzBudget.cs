namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>How long a fuzz test runs: CI's fixed seed and count, or what the environment asks for.</summary>
public readonly record struct FuzzBudget(string? Seed, long Iterations, int Seconds)
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

        return seed is not null ? new FuzzBudget(seed, 1, -1) : new FuzzBudget(ciSeed, ciIterations, -1);
    }

    public override string ToString() => Seconds > 0 ? $"{Seconds} s from {(Seed ?? "random seeds")}" : $"{Iterations} sequence(s) from seed {Seed}";
}
