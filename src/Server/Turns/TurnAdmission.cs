using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Connections;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Turns;

/// <summary>
/// The turn-admission rules, written once for both transports: agent id, scope, content limits and
/// characters, ids, pacing, and what the upstream can serve. Each transport turns a refusal into its
/// own answer (an <c>error</c> frame, or an HTTP status with the same code).
/// </summary>
public sealed class TurnAdmission(int maxContentChars, bool resumableTurns, UpstreamCapabilities capabilities)
{
    /// <summary>The code for an agent outside the key's scope; the WebSocket reports it as <c>invalid_agent_id</c>.</summary>
    public const string ForbiddenAgent = "forbidden_agent";

    /// <summary>Null when the turn may start; otherwise why not.</summary>
    public AdmissionRefusal? Check(TurnAsk ask, Func<string, bool> mayUseAgent)
    {
        if (ask.AgentId is not { } agentId)
        {
            return new(ErrorCodes.NoDefaultAgent, "No agent: connect to /ws/{agentId}, or send \"agent_id\" (this server has no default agent).");
        }

        if (!AgentIds.IsValid(agentId))
        {
            return new(ErrorCodes.InvalidAgentId, "An agent id is 1 to 128 letters, digits, '-' or '_'.");
        }

        if (!mayUseAgent(agentId))
        {
            return new(ForbiddenAgent, "Your key may not use this agent.");
        }

        if (ask.Content is { } content)
        {
            if (content.Length > maxContentChars)
            {
                return new(ErrorCodes.ContentTooLarge, $"The content has {content.Length} characters; the limit is {maxContentChars}.");
            }

            // Letta stores messages in Postgres, which refuses U+0000: such a turn could only fail upstream.
            if (content.Contains('\0', StringComparison.Ordinal))
            {
                return new(ErrorCodes.BadFrame, "\"content\" must not contain NUL characters (U+0000).");
            }
        }

        if (ask.ConversationId is { } conversation && !AgentIds.IsValid(conversation))
        {
            return new(ErrorCodes.BadFrame, "A conversation id is 1 to 128 letters, digits, '-' or '_'.");
        }

        if (ask.Resume && ask.RunId is { } run && !AgentIds.IsValid(run))
        {
            return new(ErrorCodes.BadFrame, "\"run_id\" is not a valid run id.");
        }

        // Letta numbers a run's events with 32-bit sequence ids: a larger cursor names nothing that can exist.
        if (ask.Resume && ask.AfterSeq is > int.MaxValue)
        {
            return new(ErrorCodes.BadFrame, $"\"after_seq\" is at most {int.MaxValue}: a run has no event beyond that.");
        }

        if (ask.MaxCharsPerSecond is <= 0)
        {
            return new(ErrorCodes.BadFrame, "\"max_chars_per_second\" must be a positive number.");
        }

        if ((ask.Resume || ask.Resumable == true) && !(resumableTurns && capabilities.ResumableRuns))
        {
            return new(ErrorCodes.NotResumable, "This server does not offer resumable turns.");
        }

        if (ask.ConversationId is not null && !capabilities.Conversations)
        {
            return new(ErrorCodes.UpstreamRejected, "This server's Letta has no conversations: send without \"conversation_id\".");
        }

        if (ask.Approve && !capabilities.Approvals)
        {
            return new(ErrorCodes.UpstreamRejected, "This server's Letta does not ask for approvals.");
        }

        return null;
    }
}

/// <summary>Why a turn was not admitted: a stable error code and a message for the client.</summary>
public readonly record struct AdmissionRefusal(string Code, string Message);
