using System.Text.Json;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Letta;

/// <summary>
/// Turns one SSE event from Letta into a <see cref="LettaEvent"/>, straight from the UTF-8 bytes.
/// One instance per stream (it caches repeated ids). Tolerates every shape of Letta docs: guides/agents/streaming:
/// <c>tool_calls</c> as object or array, assistant content as string or text parts, both error
/// payloads, the legacy <c>event: cancelled</c>, and unknown fields or message types.
/// </summary>
public sealed partial class LettaEventParser
{
    private readonly Utf8StringCache _runIds = new();
    private readonly Utf8StringCache _otids = new();
    private readonly Utf8StringCache _ids = new();
    private readonly Utf8StringCache _toolCallIds = new();
    private readonly Utf8StringCache _names = new();

    public LettaEvent Parse(string eventType, ReadOnlySpan<byte> data)
    {
        if (data.SequenceEqual("[DONE]"u8))
        {
            return new LettaEvent(LettaEventKind.Done) { Seq = -1 };
        }

        bool isError = eventType == "error";
        if (eventType == "cancelled")
        {
            // Legacy path (Letta docs: guides/agents/streaming): a cancellation escaped every wrapper.
            return new LettaEvent(LettaEventKind.StopReason) { StopReason = StopReasons.Cancelled, Seq = -1 };
        }

        if (!isError && eventType != "message")
        {
            return new LettaEvent(LettaEventKind.Other) { Seq = -1 };
        }

        try
        {
            return ParseJson(data, isError);
        }
        catch (JsonException)
        {
            return new LettaEvent(LettaEventKind.Invalid) { Seq = -1 };
        }
        catch (InvalidOperationException)
        {
            return new LettaEvent(LettaEventKind.Invalid) { Seq = -1 };
        }
    }

    private LettaEvent ParseJson(ReadOnlySpan<byte> data, bool isError)
    {
        var fast = new EventFields { Seq = -1 };
        if (FastPath && TryParseFlat(data, ref fast))
        {
            return Build(ref fast, isError);
        }

        return ParseWithReader(data, isError);
    }

    // Its own method, so the fast path above zeroes one EventFields per event (a few hundred bytes), not two.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private LettaEvent ParseWithReader(ReadOnlySpan<byte> data, bool isError)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return new LettaEvent(LettaEventKind.Invalid) { Seq = -1 };
        }

        var f = new EventFields { Seq = -1 };
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadProperty(ref reader, ref f);
        }

        return Build(ref f, isError);
    }
}
