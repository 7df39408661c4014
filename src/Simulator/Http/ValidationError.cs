namespace LettaSockets.Simulator.Http;

/// <summary>One pydantic error entry (<c>type</c>, <c>loc</c>, <c>msg</c>, <c>input</c> as a Python literal).</summary>
internal sealed record ValidationError(string Type, IReadOnlyList<object> Loc, string Msg, string InputRepr, string? CtxRepr = null)
{
    public string ToRepr()
    {
        var ctx = CtxRepr is null ? "" : $", 'ctx': {CtxRepr}";
        return $"{{'type': {PyRepr.Str(Type)}, 'loc': {PyRepr.Tuple(Loc)}, 'msg': {PyRepr.Str(Msg)}, 'input': {InputRepr}{ctx}}}";
    }
}
