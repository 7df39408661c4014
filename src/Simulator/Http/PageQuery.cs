using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// Letta's list parameters: <c>limit</c>, <c>order</c> (<c>asc</c>/<c>desc</c>), the <c>before</c>/<c>after</c> id
/// cursors and <c>include_return_message_types</c>; a bad <c>limit</c> or <c>order</c> is FastAPI's 422.
/// </summary>
internal sealed record PageQuery(int Limit, bool Descending, string? Before, string? After, IReadOnlySet<string>? Types)
{
    public static PageQuery? Parse(IQueryCollection query, int defaultLimit, string defaultOrder, out ApiError error)
    {
        error = default;
        var errors = new List<ValidationError>();
        var limit = defaultLimit;
        if (query.TryGetValue("limit", out var limitText) && !StringValues.IsNullOrEmpty(limitText) && !int.TryParse(limitText, out limit))
        {
            errors.Add(new ValidationError("int_parsing", ["query", "limit"],
                "Input should be a valid integer, unable to parse string as an integer", PyRepr.Str(limitText.ToString())));
        }

        var order = query.TryGetValue("order", out var orderText) ? orderText.ToString() : defaultOrder;
        if (order is not ("asc" or "desc"))
        {
            errors.Add(new ValidationError("literal_error", ["query", "order"], "Input should be 'asc' or 'desc'",
                PyRepr.Str(order), "{'expected': \"'asc' or 'desc'\"}"));
        }

        if (errors.Count > 0)
        {
            error = ApiError.Validation(errors);
            return null;
        }

        var types = query["include_return_message_types"].OfType<string>().ToHashSet(StringComparer.Ordinal);
        return new PageQuery(Math.Max(limit, 0), order == "desc", Optional(query["before"]), Optional(query["after"]), types.Count > 0 ? types : null);
    }

    public static string? Optional(StringValues value) => StringValues.IsNullOrEmpty(value) ? null : value.ToString();
}
