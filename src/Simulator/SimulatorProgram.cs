using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Simulator;

/// <summary>
/// Runs the simulator as a stand-in Letta server: <c>dotnet run --project src/Simulator -- --port 8283
/// --keepalive-seconds 20 --pace 1 --api-key secret --max-runs 1000 --max-messages 20000</c> (or <c>Simulator__Port</c> …
/// environment variables).
/// </summary>
public static partial class SimulatorProgram
{
    private static readonly Dictionary<string, string> s_switches = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--host"] = "Simulator:Host",
        ["--port"] = "Simulator:Port",
        ["--keepalive-seconds"] = "Simulator:KeepAliveSeconds",
        ["--cancel-poll-ms"] = "Simulator:CancelPollMilliseconds",
        ["--pace"] = "Simulator:PaceMultiplier",
        ["--api-key"] = "Simulator:RequiredApiKey",
        ["--no-sdk-gate"] = "Simulator:NoSdkGate",
        ["--max-runs"] = "Simulator:MaxRetainedRuns",
        ["--max-messages"] = "Simulator:MaxRetainedMessages",
    };

    public static async Task<int> Main(string[] args)
    {
        SimulatorOptions options;
        try
        {
            options = ReadOptions(args);
        }
        catch (Exception exception) when (exception is FormatException or InvalidOperationException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"Invalid arguments: {exception.Message}").ConfigureAwait(false);
            return 2;
        }

        var errors = options.Validate();
        if (errors.Count > 0)
        {
            await Console.Error.WriteLineAsync(string.Join(Environment.NewLine, errors)).ConfigureAwait(false);
            return 2;
        }

        await using var host = await SimulatorHost.StartAsync(options, builder => builder.Logging
            .AddSimpleConsole(console => console.SingleLine = true)
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)).ConfigureAwait(false);

        var logger = host.Simulator.Logger;
        Log.Listening(logger, host.BaseUrl.GetLeftPart(UriPartial.Authority), string.Join(", ", host.Simulator.Agents.All.Select(a => $"{a.Name} ({a.Id})")));

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        await stop.Task.ConfigureAwait(false);
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
    }

    private static SimulatorOptions ReadOptions(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(args.Select(a => a.Equals("--no-sdk-gate", StringComparison.OrdinalIgnoreCase) ? "--no-sdk-gate=true" : a).ToArray(), s_switches)
            .Build();
        var section = configuration.GetSection(SimulatorOptions.SectionName);
        var options = new SimulatorOptions();
        section.Bind(options);
        if (section["KeepAliveSeconds"] is { } keepAlive)
        {
            options.KeepAliveInterval = TimeSpan.FromSeconds(double.Parse(keepAlive, CultureInfo.InvariantCulture));
        }

        if (section["CancelPollMilliseconds"] is { } poll)
        {
            options.CancelPollInterval = TimeSpan.FromMilliseconds(double.Parse(poll, CultureInfo.InvariantCulture));
        }

        if (bool.TryParse(section["NoSdkGate"], out var noGate) && noGate)
        {
            options.EnforceSdkVersionGate = false;
        }

        return options;
    }
}
