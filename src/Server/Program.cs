using LettaSockets.Server.Hosting;
using Microsoft.Extensions.Options;

try
{
    LettaSocketsApp.Build(args).Run();
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
