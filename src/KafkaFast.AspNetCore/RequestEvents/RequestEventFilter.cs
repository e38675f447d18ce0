using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>
/// Which requests are recorded: not under an excluded path, accepted by the Filter hook, and sampled. Decided once
/// per request, when it starts (its start and end events go together). Never throws: a hook that throws costs the
/// request its event (dropped, reason "error").
/// </summary>
internal sealed class RequestEventFilter
{
    private readonly Func<HttpContext, bool>? _filter;
    private readonly PathString[] _excluded;
    private readonly bool _sampleAll;
    private readonly bool _sampleNone;
    private readonly ulong _sampleBound;
    private readonly RequestEventDrops _drops;
    private readonly string _topic;
    private readonly ILogger _logger;

    public RequestEventFilter(KafkaRequestEventOptions options, RequestEventDrops drops, ILogger logger)
    {
        _filter = options.Filter;
        _excluded = options.ExcludePaths.Select(p => new PathString(p.TrimEnd('/').Length == 0 ? "/" : p.TrimEnd('/'))).ToArray();
        _sampleAll = options.SamplingRatio >= 1;
        _sampleNone = options.SamplingRatio <= 0;
        _sampleBound = _sampleAll ? ulong.MaxValue : (ulong)(options.SamplingRatio * ulong.MaxValue);
        _drops = drops;
        _topic = options.Topic;
        _logger = logger;
    }

    public bool ShouldRecord(HttpContext context)
    {
        if (_sampleNone)
        {
            return false;
        }

        PathString path = context.Request.Path;
        foreach (PathString excluded in _excluded)
        {
            if (path.StartsWithSegments(excluded, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        if (_filter is { } filter)
        {
            try
            {
                if (!filter(context))
                {
                    return false;
                }
            }
            catch (Exception ex)
            {
                _drops.Drop(DropReason.Error, _topic);
                RequestEventsLog.EventFailed(_logger, ex);
                return false;
            }
        }

        return _sampleAll || Sampled();
    }

    /// <summary>By trace id when there is one (every service at the same ratio keeps the same traces), else at random.</summary>
    private bool Sampled()
    {
        Activity? activity = Activity.Current;
        ulong value;
        if (activity is not null && activity.TraceId != default)
        {
            Span<byte> id = stackalloc byte[16];
            activity.TraceId.CopyTo(id);
            value = BinaryPrimitives.ReadUInt64BigEndian(id);
        }
        else
        {
            value = (ulong)Random.Shared.NextInt64() << 1;
        }

        return value < _sampleBound;
    }
}
