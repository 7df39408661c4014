namespace LettaSockets.Protocol.Frames;

/// <summary>The payload of a <c>following</c> frame: a <c>follow</c> request was accepted.</summary>
public sealed record FollowInfo(string Id, string AgentId, string? ConversationId);
