using CsCheck;

namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>CsCheck generators for client frame sequences. Weights favour the frames that make
/// races (messages, cancels, short pauses) over the ones that are checked in isolation elsewhere.</summary>
public static class FuzzGenerators
{
    /// <summary>The agents a run uses: 0 slow, 1 with tools, 2 failing mid-stream, 3 asking approval.</summary>
    public const int Agents = 4;

    /// <summary>Agent index that names an agent outside the connection's key scope.</summary>
    public const int ForeignAgent = Agents;

    public static Gen<FuzzStep> Step(bool foreignIds) => Gen.Frequency(
        (10, Gen.Select(Gen.Int[0, foreignIds ? Agents : Agents - 1], Gen.Enum<MessageShape>(), Gen.Int[0, 4], Gen.Int[0, 9],
            (agent, shape, r, f) => (FuzzStep)new SendMessage(agent, shape, r == 0, foreignIds && f == 0))),
        (8, Gen.Select(Gen.Int[0, 40], Gen.Int[0, 5], (target, kind) => (FuzzStep)new SendCancel(kind == 0 ? null : target, kind == 1))),
        (2, Gen.Select(Gen.Int[0, 40], Gen.Int[0, 3], Gen.Int[0, foreignIds ? 2 : 1], (target, seq, run) => (FuzzStep)new SendResume(target, seq, (ResumeTarget)run))),
        (2, Gen.Select(Gen.Int[0, 40], Gen.Bool, Gen.Int[0, 3], (target, approve, known) => (FuzzStep)new SendApprove(target, approve, known != 0))),
        (1, Gen.Int[0, 40].Select(target => (FuzzStep)new SendDuplicate(target))),
        (3, Gen.Const((FuzzStep)new SendPing())),
        (2, Gen.Enum<BadFrame>().Select(kind => (FuzzStep)new SendBad(kind))),
        (8, Gen.Frequency((4, Gen.Const(0)), (3, Gen.Int[1, 20]), (1, Gen.Int[20, 120])).Select(ms => (FuzzStep)new Pause(ms))));

    public static Gen<FuzzStep[]> Sequence(bool foreignIds = false, int maxLength = 40) => Step(foreignIds).Array[1, maxLength];
}
