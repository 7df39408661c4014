using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;

namespace LettaSockets.Server.Turns;

/// <summary>
/// Output pacing for one turn (<c>max_chars_per_second</c>): sits between the pump and the host's
/// queue. The pump keeps draining Letta into this stage's buffer; the stage releases assistant text
/// and reasoning at the rate, split on text-element boundaries, and everything else in order behind
/// it. It stops the moment the turn's output is cancelled, dropping what it still holds. Unpaced
/// turns never create one.
/// </summary>
internal sealed class TurnPacer
{
    /// <summary>Deltas held per paced turn at most (besides <see cref="TurnOptions.MaxPacedBytes"/>); beyond that the pump waits.</summary>
    public const int BufferCapacity = 4096;

    /// <summary>Slowest rate honoured: a slower one would hold a finished answer for hours.</summary>
    public const double MinCharsPerSecond = 1;

    // One release per tick at most (~50 per second): a steady rhythm without a frame per character.
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);

    // Timers wake late; the budget a late wake-up accrued is spent on the next release (up to this
    // much), so the long-run rate holds instead of drifting below the one asked for.
    private static readonly TimeSpan CatchUp = TimeSpan.FromMilliseconds(250);

    private readonly Turn _turn;
    private readonly ITurnHost _inner;
    private readonly TimeProvider _time;
    private readonly double _rate;
    private readonly double _burst;
    private readonly double _catchUp;
    private readonly ByteBoundedQueue _buffer;
    private readonly Task _run;
    private double _budget;
    private long _refilledAt;

    private TurnPacer(Turn turn, ITurnHost inner, TimeProvider time, double rate)
    {
        _turn = turn;
        _inner = inner;
        _time = time;
        _rate = rate;
        _burst = Math.Max(1, rate * Tick.TotalSeconds);
        _catchUp = Math.Max(_burst, rate * CatchUp.TotalSeconds);
        _budget = _burst;
        _refilledAt = time.GetTimestamp();
        _buffer = new ByteBoundedQueue(BufferCapacity, turn.Options.MaxPacedBytes, singleWriter: true, onChange: inner.BufferedChanged, holdUntilSettled: true);
        _run = RunAsync();
    }

    /// <summary>Where the pump queues the turn's frames, its terminal frame included (unclaimed: the
    /// pacer claims it from the host when it releases it).</summary>
    public ChannelWriter<StreamChunk> Output => _buffer.Writer;

    /// <summary>The effective rate for a request: the client's, else the server default, capped by
    /// the server maximum and raised to <see cref="MinCharsPerSecond"/>; null = unpaced.</summary>
    public static double? ResolveRate(double? requested, double? serverDefault, double? serverLimit)
    {
        double? rate = requested ?? serverDefault;
        if (rate is not > 0)
        {
            return null;
        }

        if (serverLimit is > 0 and var limit)
        {
            rate = Math.Min(rate.Value, limit);
        }

        return Math.Max(rate.Value, MinCharsPerSecond);
    }

    /// <summary>A pacer for <paramref name="turn"/> when it is paced; null otherwise.</summary>
    public static TurnPacer? For(Turn turn, ITurnHost host, TimeProvider time) =>
        turn.Options.MaxCharsPerSecond is > 0 and var rate ? new TurnPacer(turn, host, time, rate) : null;

    /// <summary>Called by the pump when it has queued its last frame: waits until the pacer has
    /// released everything (or was cancelled). Never throws.</summary>
    public async Task DrainAsync()
    {
        _buffer.Writer.TryComplete();
        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync()
    {
        ChannelReader<StreamChunk> reader = _buffer.Reader;
        CancellationToken token = _turn.OutputToken;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                // After waiting for Letta, start with at most one tick's worth: idle time is not
                // saved up into a burst.
                Refill(_burst);
                while (reader.TryRead(out StreamChunk chunk))
                {
                    if (chunk.Kind is ChunkKind.Done or ChunkKind.Error)
                    {
                        await ReleaseTerminalAsync(chunk).ConfigureAwait(false);
                    }
                    else if (IsPaced(chunk))
                    {
                        await ReleaseTextAsync(chunk, token).ConfigureAwait(false);
                    }
                    else
                    {
                        await _inner.Output.WriteAsync(chunk, token).ConfigureAwait(false);
                    }

                    // Released whole: the delta counted against MaxPacedBytes until its last piece left.
                    _buffer.Settle();
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            // Cancelled, or the host went away: what is still buffered is dropped.
        }
        finally
        {
            _buffer.Writer.TryComplete(); // a pump still writing gets ChannelClosedException, which it ignores
            _buffer.Drop(); // what was never released is no longer held for anyone
        }
    }

    private static bool IsPaced(in StreamChunk chunk) =>
        chunk.Kind is ChunkKind.Chunk or ChunkKind.Reasoning && !chunk.Flag && !string.IsNullOrEmpty(chunk.Content);

    private async ValueTask ReleaseTextAsync(StreamChunk chunk, CancellationToken token)
    {
        string text = chunk.Content!;
        int position = 0;
        while (position < text.Length)
        {
            Refill(_catchUp);
            if (_budget < 1)
            {
                // Sleep until a tick's worth (at least one character) has accrued.
                double wait = (_burst - _budget) / _rate;
                await Task.Delay(TimeSpan.FromSeconds(wait), _time, token).ConfigureAwait(false);
                Refill(_catchUp);
            }

            int take = TakeElements(text, position, (int)_budget);
            _budget -= take;
            bool last = position + take == text.Length;
            StreamChunk piece = position == 0 && last ? chunk : Slice(chunk, text.Substring(position, take), last ? chunk.Seq : -1);
            position += take;
            await _inner.Output.WriteAsync(piece, token).ConfigureAwait(false);
        }
    }

    private async ValueTask ReleaseTerminalAsync(StreamChunk terminal)
    {
        if (!_inner.TryFinish(_turn))
        {
            return; // a cancel ended the turn while its text was still being paced
        }

        if (terminal.Payload is DoneInfo done)
        {
            // The client's turn ended now, not when Letta finished: metrics say what it experienced.
            terminal = StreamChunk.Done(_turn.Info, done with { EndedTimestamp = Stopwatch.GetTimestamp() }, terminal.Seq);
        }

        await _inner.Output.WriteAsync(terminal, _inner.Aborted).ConfigureAwait(false);
    }

    private void Refill(double cap)
    {
        long now = _time.GetTimestamp();
        _budget = Math.Min(cap, _budget + (_time.GetElapsedTime(_refilledAt, now).TotalSeconds * _rate));
        _refilledAt = now;
    }

    /// <summary>Characters of whole text elements from <paramref name="start"/> within <paramref name="budget"/>;
    /// at least one element, so a long grapheme cluster is never split.</summary>
    private static int TakeElements(string text, int start, int budget)
    {
        int taken = 0;
        while (start + taken < text.Length)
        {
            int next = StringInfo.GetNextTextElementLength(text.AsSpan(start + taken));
            if (taken > 0 && taken + next > budget)
            {
                break;
            }

            taken += next;
        }

        return taken;
    }

    private StreamChunk Slice(in StreamChunk chunk, string piece, long seq) =>
        chunk.Kind == ChunkKind.Reasoning
            ? StreamChunk.Reasoning(_turn.Info, chunk.MessageId!, piece, chunk.Flag, seq)
            : StreamChunk.Text(_turn.Info, chunk.MessageId!, piece, seq);
}
