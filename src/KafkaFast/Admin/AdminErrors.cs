using KafkaFast.Native;

namespace KafkaFast.Admin;

/// <summary>Builds the admin client's exceptions: the operation, every failed item, and librdkafka's reason, plus a hint for the failures users meet first.</summary>
internal static class AdminErrors
{
    /// <summary>The request failed as a whole (event-level error).</summary>
    internal static KafkaAdminException RequestFailed(AdminRequestName request, AdminNativeError error)
    {
        var code = (KafkaErrorCode)error.Code;
        return new KafkaAdminException(request.Operation, code, $"{request} failed: {Name(error.Code)}: {error.Reason}{Hint(request, error)}", []);
    }

    /// <summary>Throws when any item failed; the message lists each failure, the exception every item.</summary>
    internal static void ThrowIfAnyFailed(AdminRequestName request, IReadOnlyList<AdminItemResult> items)
    {
        AdminItemResult[] failed = [.. items.Where(i => !i.Succeeded)];
        if (failed.Length == 0)
        {
            return;
        }

        string failures = string.Join("; ", failed.Select(f => $"'{f.Name}': {Name((int)f.Error)}: {f.Reason}"));
        string scope = items.Count == 1 ? string.Empty : $" ({failed.Length} of {items.Count} failed)";
        string hint = failed.Select(f => Hint(request, new AdminNativeError((int)f.Error, f.Reason))).FirstOrDefault(h => h.Length > 0) ?? string.Empty;
        throw new KafkaAdminException(request.Operation, failed[0].Error, $"{request.Operation} failed{scope}: {failures}{hint}", items);
    }

    /// <summary>An item's result from a librdkafka error (Code 0: success).</summary>
    internal static AdminItemResult Item(string name, AdminNativeError error) =>
        new(name, (KafkaErrorCode)error.Code, error.Code == 0 ? string.Empty : error.Reason);

    /// <summary>The enum's name when KafkaFast names the code, else librdkafka's (e.g. "INVALID_REQUEST").</summary>
    internal static string Name(int code) =>
        Enum.IsDefined((KafkaErrorCode)code) ? ((KafkaErrorCode)code).ToString() : LibRdKafka.ErrorName(code);

    private static string Hint(AdminRequestName request, AdminNativeError error) => (KafkaErrorCode)error.Code switch
    {
        KafkaErrorCode.TimedOut when error.Reason.Contains("controller", StringComparison.OrdinalIgnoreCase) =>
            $" (no broker answered as the cluster's controller before the request timeout: the cluster is unreachable, or has no controller; librdkafka's embedded mock cluster has none and cannot serve {request.Operation})",
        KafkaErrorCode.TimedOut =>
            " (no answer before the request timeout: is the cluster reachable? KafkaAdminClientOptions.RequestTimeout sets how long to wait)",
        KafkaErrorCode.UnsupportedFeature =>
            $" (the broker does not support {request.Operation}; librdkafka's embedded mock cluster does not)",
        KafkaErrorCode.UnknownMemberId or KafkaErrorCode.RebalanceInProgress when request.Operation == "AlterConsumerGroupOffsets" =>
            " (the group is not empty: its committed offsets can only be changed while no consumer is a member; stop them, and wait for their session timeout if they did not leave. " +
            "librdkafka's embedded mock cluster refuses it for every group a consumer has ever joined)",
        _ => string.Empty,
    };
}
