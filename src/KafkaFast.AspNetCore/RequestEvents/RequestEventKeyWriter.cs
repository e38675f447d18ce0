using System.Buffers;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>The message key of one event (KeySelector, else <see cref="RequestEventKey"/>), as UTF-8 in a caller's buffer: no allocation.</summary>
internal sealed class RequestEventKeyWriter(KafkaRequestEventOptions options)
{
    /// <summary>Room on the stack for a key; a longer one is written into a pooled array the caller returns.</summary>
    internal const int StackBytes = 256;

    private readonly Func<HttpContext, string?>? _selector = options.KeySelector;
    private readonly RequestEventKey _key = options.Key;

    /// <summary>False when events have no key (no KeySelector, Key None): the caller needs no buffer.</summary>
    public bool HasKey => _selector is not null || _key != RequestEventKey.None;

    /// <summary>Writes the key into <paramref name="buffer"/> (or a rented array, set in <paramref name="rented"/>); empty for none.</summary>
    public ReadOnlySpan<byte> Write(HttpContext context, Span<byte> buffer, ref byte[]? rented)
    {
        string? text;
        if (_selector is { } selector)
        {
            text = selector(context);
        }
        else
        {
            switch (_key)
            {
                case RequestEventKey.ClientAddress:
                    return context.Connection.RemoteIpAddress is { } address && address.TryFormat(buffer, out int written) ? buffer[..written] : default;
                case RequestEventKey.TraceId:
                    if (Activity.Current is { } activity && activity.TraceId != default)
                    {
                        Span<byte> id = stackalloc byte[16];
                        activity.TraceId.CopyTo(id);
                        Convert.TryToHexStringLower(id, buffer, out int hex);
                        return buffer[..hex];
                    }

                    return default;
                case RequestEventKey.User:
                    text = context.User.Identity?.Name;
                    break;
                default:
                    return default;
            }
        }

        if (string.IsNullOrEmpty(text))
        {
            return default;
        }

        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max > buffer.Length && Encoding.UTF8.GetByteCount(text) > buffer.Length)
        {
            rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(text));
            buffer = rented;
        }

        return buffer[..Encoding.UTF8.GetBytes(text, buffer)];
    }
}
