using System.Text.Json;
using KafkaFast.AspNetCore.RequestEvents;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace KafkaFast.AspNetCore.Gateway;

/// <summary>The gateway's own request-event field: "upstream", the destination YARP chose for the request (when it proxied it).</summary>
internal static class UpstreamField
{
    private static readonly JsonEncodedText s_name = JsonEncodedText.Encode("upstream");

    internal static readonly Action<Utf8JsonWriter, HttpContext, RequestEventPhase> Write = static (json, context, phase) =>
    {
        if (context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination?.Model.Config.Address is string upstream)
        {
            json.WriteString(s_name, upstream);
        }
    };

    /// <summary>The gateway's field first, then the application's own (if any).</summary>
    internal static Action<Utf8JsonWriter, HttpContext, RequestEventPhase> Then(Action<Utf8JsonWriter, HttpContext, RequestEventPhase>? next) =>
        next is null || ReferenceEquals(next, Write)
            ? Write
            : (json, context, phase) =>
            {
                Write(json, context, phase);
                next(json, context, phase);
            };
}
