using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.Agents;

/// <summary>
/// Approver: asks to run <c>delete_file</c> and stops with <c>requires_approval</c>; the request that
/// answers the approval continues with the tool's return and a confirmation, or a refusal.
/// </summary>
internal sealed partial class ApproverBehaviour
{
    private const string DefaultPath = "/tmp/notes.txt";
    private static readonly TimeSpan s_tokenPace = TimeSpan.FromMilliseconds(15);

    private readonly ConcurrentDictionary<string, string> _pendingPaths = new(StringComparer.Ordinal);

    public AgentScript Answer(SimRequest request)
    {
        if (request.Approvals.Count == 0)
        {
            var path = PathPattern().Match(request.UserText) is { Success: true } match ? match.Value : DefaultPath;
            var callId = LettaIds.NewToolCallId();
            _pendingPaths[callId] = path;
            return AgentScript.Create()
                .RequestApproval("delete_file", PyJson.Dumps(("path", path)), callId)
                .WithTokenDelay(s_tokenPace);
        }

        var script = AgentScript.Create().WithTokenDelay(s_tokenPace);
        var summary = new StringBuilder();
        foreach (var decision in request.Approvals)
        {
            var path = _pendingPaths.TryRemove(decision.ToolCallId, out var pending) ? pending : DefaultPath;
            if (decision.Approve)
            {
                script.ToolReturn("delete_file", $"Deleted {path}", decision.ToolCallId);
                summary.Append($"Done: I deleted `{path}`. ");
            }
            else
            {
                var reason = string.IsNullOrWhiteSpace(decision.Reason) ? "" : $" (reason: {decision.Reason})";
                summary.Append($"Understood: I did not delete `{path}`{reason}. ");
            }
        }

        return script.Say(summary.ToString().TrimEnd());
    }

    [GeneratedRegex(@"(?:~|\.{0,2})/[\w./-]+", RegexOptions.CultureInvariant)]
    private static partial Regex PathPattern();
}
