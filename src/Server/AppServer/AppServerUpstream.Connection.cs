using System.Text.Json;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.AppServer;

/// <summary>The one upstream socket: connecting (and re-connecting with backoff), what turns are told while it is down,
/// and routing the App Server's runtime events to the turns that follow them.</summary>
public sealed partial class AppServerUpstream
{
    /// <summary>The open socket; while reconnecting, the last failure at once (with when to retry), so
    /// turns are answered in milliseconds rather than after a timeout.</summary>
    private async Task<AppServerSocket> ConnectedAsync(CancellationToken cancellationToken)
    {
        Task<AppServerSocket> next;
        lock (_gate)
        {
            if (_socket is { IsOpen: true } open)
            {
                return open;
            }

            if (_lastFailure is { } failure)
            {
                throw WithRetryAfter(failure);
            }

            next = _connected.Task;
        }

        try
        {
            return await next.WaitAsync(_options.ConnectTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new UpstreamException(ErrorCodes.UpstreamUnavailable, "The gateway is still connecting to the App Server.", true, TimeSpan.FromSeconds(1));
        }
    }

    private UpstreamException WithRetryAfter(UpstreamException failure)
    {
        if (!failure.Retryable)
        {
            return new UpstreamException(failure.Code, failure.Message, false, null, failure.Detail) { StatusCode = failure.StatusCode };
        }

        TimeSpan wait = TimeSpan.FromSeconds((Interlocked.Read(ref _nextAttemptAt) - _time.GetTimestamp()) / (double)_time.TimestampFrequency);
        TimeSpan retryAfter = wait > TimeSpan.FromMilliseconds(100) ? wait : TimeSpan.FromMilliseconds(100);
        return new UpstreamException(failure.Code, failure.Message, true, retryAfter, failure.Detail) { StatusCode = failure.StatusCode };
    }

    private async Task MaintainAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            AppServerSocket socket;
            try
            {
                socket = await _reconnect.ExecuteAsync(static (self, ct) => new ValueTask<AppServerSocket>(self.ConnectOnceAsync(ct)), this, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }

            TaskCompletionSource<AppServerSocket> connected;
            lock (_gate)
            {
                _socket = socket;
                _lastFailure = null;
                connected = _connected;
            }

            connected.TrySetResult(socket);
            UpstreamException reason;
            try
            {
                reason = await socket.Closed.WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                reason = new UpstreamException(ErrorCodes.ShuttingDown, "The gateway is shutting down.", true);
            }

            lock (_gate)
            {
                _socket = null;
                _lastFailure = reason;
                _connected = new TaskCompletionSource<AppServerSocket>(TaskCreationOptions.RunContinuationsAsynchronously);
                Interlocked.Exchange(ref _nextAttemptAt, _time.GetTimestamp() + (long)(_options.ReconnectBaseDelay.TotalSeconds * _time.TimestampFrequency));
            }

            FailTurnsOn(socket, reason);
            if (!stopping.IsCancellationRequested)
            {
                Log.Disconnected(_logger, reason.Message);
            }

            await socket.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Every turn on a socket that ended gets one typed error now (not after an idle timeout).</summary>
    private void FailTurnsOn(AppServerSocket socket, UpstreamException reason)
    {
        foreach (RuntimeSlot slot in _runtimes.Values)
        {
            if (slot.Turn is { } turn && turn.Socket == socket)
            {
                turn.Fail(reason);
            }
        }
    }

    private async Task<AppServerSocket> ConnectOnceAsync(CancellationToken cancellationToken)
    {
        long generation = Interlocked.Increment(ref _generation);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        AppServerSocket? socket = null;
        try
        {
            socket = await AppServerSocket.ConnectAsync(_url, _token, _options, generation, (type, frame) => OnFrame(generation, type, frame), timeout.Token).ConfigureAwait(false);
            string requestId = socket.NextRequestId("info");
            JsonElement info = await socket.RequestAsync(requestId, AppServerCommands.Info(requestId), _options.AckTimeout, timeout.Token).ConfigureAwait(false);
            int protocol = info.TryGetProperty("protocol_version", out JsonElement version) && version.TryGetInt32(out int v) ? v : 0;
            if (protocol != 1)
            {
                throw new UpstreamException(ErrorCodes.UpstreamRejected, $"The App Server speaks protocol version {protocol}; this gateway speaks version 1.", false);
            }

            string description = $"App Server {Text(info, "letta_code_version") ?? "?"} ({Text(info, "backend") ?? "?"} backend), connected";
            lock (_gate)
            {
                _serverDescription = description;
            }

            Log.Connected(_logger, Redacted(_url), description);
            return socket;
        }
        catch (Exception e) when (e is UpstreamException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            if (socket is not null)
            {
                await socket.DisposeAsync().ConfigureAwait(false);
            }

            UpstreamException failure = e as UpstreamException
                ?? new UpstreamException(ErrorCodes.UpstreamUnavailable, $"The App Server did not answer within {_options.ConnectTimeout.TotalSeconds:0.#} s.", true);
            lock (_gate)
            {
                _lastFailure = failure;
            }

            Log.ConnectFailed(_logger, Redacted(_url), failure.Code, failure.Message);
            throw failure;
        }
    }

    /// <summary>Routes a runtime event to the turn following that runtime. Called by the socket's reader loop.</summary>
    private void OnFrame(long generation, string type, JsonElement frame)
    {
        if (frame.ValueKind != JsonValueKind.Object)
        {
            Ignored(type);
            return;
        }

        if (!s_knownBroadcasts.Contains(type))
        {
            Ignored(type);
            return;
        }

        if (RuntimeOf(frame) is { } runtime && _runtimes.TryGetValue(runtime, out RuntimeSlot? slot)
            && slot.Turn is { } turn && turn.Socket.Generation == generation)
        {
            // letta-code 0.32.18 can still send a few deltas of an aborted turn after its turn_finished:
            // they belong to the previous turn's runs, never to the one that took the runtime since.
            if (slot.Previous is { } previous && RunIdOf(frame) is { } runId && previous.HasRun(runId) && !turn.HasRun(runId))
            {
                Ignored("late_" + type);
                return;
            }

            turn.OnFrame(type, frame);
        }
    }

    private static string? RunIdOf(JsonElement frame) =>
        frame.TryGetProperty("delta", out JsonElement delta) && delta.ValueKind == JsonValueKind.Object && Text(delta, "run_id") is { } inDelta
            ? inDelta
            : Text(frame, "run_id");

    private void Ignored(string type)
    {
        _metrics.UpstreamFrameIgnored(type);
        if (_loggedIgnored.Count < 64 && _loggedIgnored.TryAdd(type, true))
        {
            Log.IgnoredFrame(_logger, type);
        }
    }

    private static RuntimeKey? RuntimeOf(JsonElement frame)
    {
        JsonElement scope = frame.TryGetProperty("runtime", out JsonElement runtime) && runtime.ValueKind == JsonValueKind.Object ? runtime : frame;
        return Text(scope, "agent_id") is { } agentId ? RuntimeKey.For(agentId, Text(scope, "conversation_id")) : null;
    }

    /// <summary>The URL without user info or query (a token must never reach a log line).</summary>
    private static string Redacted(Uri url) => new UriBuilder(url) { UserName = string.Empty, Password = string.Empty, Query = string.Empty }.Uri.ToString();

    private static partial class Log
    {
        [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Connected to the App Server at {Url}: {Description}")]
        public static partial void Connected(ILogger logger, string url, string description);

        [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "Could not connect to the App Server at {Url}: {Code} {Reason}")]
        public static partial void ConnectFailed(ILogger logger, string url, string code, string reason);

        [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "The App Server connection ended: {Reason} Active turns failed; reconnecting with backoff.")]
        public static partial void Disconnected(ILogger logger, string reason);

        [LoggerMessage(EventId = 8004, Level = LogLevel.Information, Message = "Ignored an App Server frame of a type the gateway does not know: {Type} (counted in lettasockets.upstream.ignored)")]
        public static partial void IgnoredFrame(ILogger logger, string type);

        [LoggerMessage(EventId = 8005, Level = LogLevel.Information, Message = "An approval of agent {AgentId} (turn {TurnId}) was not answered in time; the App Server turn was aborted")]
        public static partial void ApprovalExpired(ILogger logger, string agentId, string turnId);
    }
}
