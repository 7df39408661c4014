namespace LettaSockets.Client;

/// <summary>A frame of a request whose type this client does not know (a newer server): its JSON as sent.</summary>
public sealed record OtherTurnFrame : TurnFrame
{
    public override string Type => WireType;

    public string WireType { get; init; } = "";

    public string Json { get; init; } = "";
}
