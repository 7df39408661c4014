using LettaSockets.Simulator.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LettaSockets.Simulator;

/// <summary>The simulator's state, one instance shared by all its endpoints: agents, journal, faults, runs.</summary>
public sealed class LettaSimulator
{
    public LettaSimulator(SimulatorOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid simulator options: " + string.Join(" ", errors), nameof(options));
        }

        Options = options;
        TimeProvider = timeProvider ?? TimeProvider.System;
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("LettaSockets.Simulator");
        Logger = logger;
        Runs = new RunStore(options, TimeProvider);
        History = new MessageHistory(options.MaxRetainedMessages);
        Launcher = new RunLauncher(Runs, Journal, options, History, TimeProvider, logger);
        Conversations = new ConversationCatalog(Agents, TimeProvider);
        if (options.IncludeDemoAgents)
        {
            foreach (var agent in DemoAgents.Create())
            {
                Agents.Add(agent);
            }
        }
    }

    public AgentCatalog Agents { get; } = new();

    /// <summary>Conversations of the agents (Letta's endpoints); <see cref="ConversationCatalog.Create"/> makes one in process.</summary>
    public ConversationCatalog Conversations { get; }

    public SimulatorJournal Journal { get; } = new();

    public FaultInjector Faults { get; } = new();

    /// <summary>The runs, finished ones kept within <see cref="SimulatorOptions.MaxRetainedRuns"/> and <see cref="SimulatorOptions.RetainedRunLifetime"/>.</summary>
    public RunStore Runs { get; }

    /// <summary>Every run's input and output messages, as Letta's history routes read them.</summary>
    public MessageHistory History { get; }

    public SimulatorOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    internal ILogger Logger { get; }

    internal RunLauncher Launcher { get; }

    /// <summary>Cancels every run's task and waits (bounded) for them to end.</summary>
    internal Task ShutdownAsync() => Launcher.ShutdownAsync(TimeSpan.FromSeconds(5));
}
