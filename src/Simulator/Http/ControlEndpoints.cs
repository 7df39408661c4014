using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LettaSockets.Simulator.Faults;
using Microsoft.AspNetCore.Http;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// <c>/_sim/…</c>: fault injection and the journal for tests running in another process. Not part of
/// Letta's API and never behind the API key.
/// </summary>
internal sealed class ControlEndpoints(LettaSimulator simulator)
{
    public async Task AddFaultAsync(HttpContext context)
    {
        var body = await HttpWrite.ReadBodyAsync(context).ConfigureAwait(false);
        SimFault fault;
        try
        {
            fault = FaultJson.Parse(body);
        }
        catch (JsonException exception)
        {
            await HttpWrite.ErrorAsync(context, ApiError.Detail(400, exception.Message)).ConfigureAwait(false);
            return;
        }

        simulator.Faults.Enqueue(fault);
        await WriteAsync(context, StatusCodes.Status201Created, FaultJson.Describe(fault), ControlJsonContext.Default.FaultDescription).ConfigureAwait(false);
    }

    public Task ListFaultsAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status200OK, simulator.Faults.Pending.Select(FaultJson.Describe).ToList(), ControlJsonContext.Default.ListFaultDescription);

    public Task ClearFaultsAsync(HttpContext context)
    {
        simulator.Faults.Clear();
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    public Task JournalAsync(HttpContext context)
    {
        var journal = simulator.Journal;
        var messages = journal.Messages;
        var agentIds = simulator.Agents.All.Select(a => a.Id).Concat(messages.Select(m => m.AgentId)).Distinct();
        var snapshot = new JournalSnapshot(messages, journal.Cancels, journal.ActiveRuns, agentIds.ToDictionary(id => id, journal.MaxConcurrentRunsPerAgent));
        return WriteAsync(context, StatusCodes.Status200OK, snapshot, ControlJsonContext.Default.JournalSnapshot);
    }

    public Task ResetJournalAsync(HttpContext context)
    {
        simulator.Journal.Reset();
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private static Task WriteAsync<T>(HttpContext context, int statusCode, T value, JsonTypeInfo<T> type) =>
        HttpWrite.JsonAsync(context, statusCode, JsonSerializer.Serialize(value, type));
}
