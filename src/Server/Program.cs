using LettaSockets.Server.Hosting;
using Microsoft.Extensions.Options;

try
{
    await using WebApplication app = LettaSocketsApp.Build(args);
    await app.StartAsync().ConfigureAwait(false);

    // Listening now. Nothing collected the start-up garbage yet (configuration, DI, the first requests' type
    // metadata), so the process's first gen 0 collection would copy it, under the first load, and pause every
    // connection at once: measured, 10–30 ms in a fresh instance's first 250 ms when 256 turns start
    // (docs/BENCHMARKS.md, "Cold start"). One compacting collection now costs a few ms before any client is
    // served, moves what start-up keeps into gen 2 and gives the first load a whole gen 0 budget.
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    await app.WaitForShutdownAsync().ConfigureAwait(false);
    return 0;
}
catch (OptionsValidationException invalid)
{
    // Start-up validation checks every section at once: list what is wrong and exit, rather than crash.
    Console.Error.WriteLine("LettaSockets did not start: the configuration is invalid.");
    foreach (string failure in invalid.Failures)
    {
        Console.Error.WriteLine("  " + failure);
    }

    return 1;
}
catch (InvalidOperationException unreadable) when (unreadable.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
{
    Console.Error.WriteLine("LettaSockets did not start: " + unreadable.Message);
    return 1;
}
