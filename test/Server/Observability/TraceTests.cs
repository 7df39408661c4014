using System.Collections.ObjectModel;
using System.Diagnostics;
using LettaSockets.Protocol.Json;
using LettaSockets.Server.Observability;
using LettaSockets.Simulator;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace LettaSockets.Server.Tests.Observability;

/// <summary>One trace per turn: a root span for the turn (GenAI names, run id, outcome) whose child is the
/// HTTP call to Letta, linked to the connection's span; nothing listens when no exporter is configured.</summary>
[TestClass]
public sealed class TraceTests
{
    /// <summary>Finished spans, with a wait for one that matches.</summary>
    private sealed class Spans : Collection<Activity>
    {
        private readonly Lock _gate = new();
        private readonly List<(Func<Activity, bool> Match, TaskCompletionSource<Activity> Done)> _waiters = [];

        public async Task<Activity> WaitForAsync(Func<Activity, bool> match)
        {
            var done = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                if (this.FirstOrDefault(match) is { } seen)
                {
                    return seen;
                }

                _waiters.Add((match, done));
            }

            return await done.Task.WaitAsync(TestClient.DefaultTimeout);
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (_gate)
            {
                base.InsertItem(index, item);
                foreach (var waiter in _waiters.Where(w => w.Match(item)).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Done.TrySetResult(item);
                }
            }
        }
    }

    [TestMethod]
    public async Task A_turn_is_one_trace_from_the_frame_to_the_letta_call()
    {
        var spans = new Spans();
        await using TestGateway gateway = await TestGateway.StartAsync(
            new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9", ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" },
            services: s => s.AddOpenTelemetry().WithTracing(t => t.AddInMemoryExporter(spans)));
        string agent = gateway.AddAgent(_ => AgentScript.Create().Say("traced"));
        await using TestClient client = await gateway.ConnectAsync(agent);

        await client.SendMessageAsync("t", "hi");
        List<ServerFrame> turn = await client.ReadTurnAsync("t");
        string runId = turn.First(f => f.RunId is not null).RunId!;

        Activity root = await spans.WaitForAsync(a => a.Source.Name == LettaSocketsTelemetry.SourceName && (string?)a.GetTagItem("lettasockets.request.id") == "t");
        Activity call = await spans.WaitForAsync(a => a.Kind == ActivityKind.Client && a.TraceId == root.TraceId);

        Assert.AreEqual($"invoke_agent {agent}", root.DisplayName);
        Assert.AreEqual(default, root.ParentSpanId, "the turn is the root of its own trace");
        Assert.IsTrue(root.Links.Any(), "linked to the connection's span");
        Assert.AreEqual(agent, root.GetTagItem("gen_ai.agent.id"));
        Assert.AreEqual("invoke_agent", root.GetTagItem("gen_ai.operation.name"));
        Assert.AreEqual(runId, root.GetTagItem("lettasockets.run.id"));
        Assert.AreEqual("end_turn", root.GetTagItem("gen_ai.response.finish_reasons"));
        Assert.AreEqual(root.SpanId, call.ParentSpanId, "the HTTP call to Letta is the turn's child (and sends its traceparent)");
    }

    [TestMethod]
    public async Task Without_an_exporter_nothing_listens_and_no_span_is_made()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "" });

        Assert.IsFalse(gateway.Services.GetRequiredService<OtlpExport>().IsExporting);
        using Activity? span = LettaSocketsTelemetry.StartTurn("x", "agent-1", null);
        Assert.IsNull(span, "no tracer provider listens to the gateway's source: a turn makes no span");
    }
}
