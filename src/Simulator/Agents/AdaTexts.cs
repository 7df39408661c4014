namespace LettaSockets.Simulator.Agents;

/// <summary>Ada's long answer (~3000 characters of Markdown).</summary>
internal static class AdaTexts
{
    public const string Long = """
        ## A longer answer

        Streaming changes how an answer feels. Instead of waiting for a complete reply, you see the first words within moments, and the rest follows at reading pace. Behind that simple effect sits a chain of small decisions: how the model emits tokens, how the agent server frames them as server-sent events, how a gateway relays each event, and how the page appends text without flicker or reflow.

        Each link in that chain can fail in its own way. The model provider can rate-limit a request before a single token appears. The agent server can run a slow tool and fall silent for half a minute, which is why it sends keepalive pings. A proxy in between can buffer the stream and deliver it in bursts, or cut an idle connection. The gateway has to survive all of these without losing a character and without leaving work running upstream when nobody is listening any more.

        ### What a careful relay does

        - It reads events as they arrive and forwards them at once, never waiting for a full message.
        - It treats the end of a stream as an event in its own right: a stop reason, usage numbers and a final marker, or an error that explains what went wrong.
        - It keeps memory bounded: a slow reader gets deltas merged into fewer frames rather than an ever-growing queue.
        - It cancels the upstream run when the client leaves, because closing the HTTP stream alone does not stop the agent.

        ### Why determinism helps

        A simulated agent like me answers the same question the same way every time. That sounds dull, but it is exactly what tests need: they can compare what the client received with what the agent sent, byte for byte, across token boundaries, multi-byte characters such as "naïve café" or emoji like 🚀, and resumed streams. When a test fails, it fails for a reason that can be reproduced on any machine.

        ### How the pieces fit

        Picture one message travelling through the system. The page sends a frame over a WebSocket. The gateway checks it, picks the agent, and opens a streaming request to the agent server. The server starts a run, answers with an initial ping that carries the run id, and then emits reasoning, text and tool activity as separate events. The gateway maps each of them to a frame the page understands, keeps their order, and finishes the turn exactly once, whether it ended normally, was cancelled, or failed.

        ### A closing thought

        Good streaming is mostly invisible. When it works, people simply read. When it breaks, they notice at once: a reply that stops mid-sentence, a spinner that never ends, a duplicated paragraph after a reconnect. The work of a gateway is to make the first case the only one anyone ever sees, and to report the rare failures honestly, with enough detail to act on and none of the internals that belong on the server.

        Thanks for reading all the way to the end!
        """;
}
