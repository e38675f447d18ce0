using System.Globalization;
using System.Text;

namespace KafkaFast.Tool.Io;

/// <summary>
/// Delimiters and format strings as kcat reads them: UTF-8 text with escapes \n \r \t \0 \\ and \xNN (any byte, so a
/// delimiter can be binary).
/// </summary>
internal static class Escapes
{
    /// <summary>The bytes <paramref name="text"/> stands for; a bad escape is a usage error naming <paramref name="option"/>.</summary>
    internal static byte[] Parse(string text, string option)
    {
        var bytes = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '\\' || i + 1 == text.Length)
            {
                int n = char.IsSurrogatePair(text, i)
                    ? Encoding.UTF8.GetBytes(text.AsSpan(i++, 2), utf8)
                    : Encoding.UTF8.GetBytes(text.AsSpan(i, 1), utf8);
                bytes.AddRange(utf8[..n]);
                continue;
            }

            char e = text[++i];
            switch (e)
            {
                case 'n': bytes.Add((byte)'\n'); break;
                case 'r': bytes.Add((byte)'\r'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case '0': bytes.Add(0); break;
                case '\\': bytes.Add((byte)'\\'); break;
                case 'x' when i + 2 < text.Length:
                    if (!byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
                    {
                        throw new UsageException($"{option} '{text}': \\x needs two hex digits");
                    }

                    bytes.Add(b);
                    i += 2;
                    break;
                case 'x':
                    throw new UsageException($"{option} '{text}': \\x needs two hex digits");
                default:
                    throw new UsageException($"{option} '{text}': unknown escape '\\{e}' (known: \\n \\r \\t \\0 \\\\ \\xNN)");
            }
        }

        return [.. bytes];
    }
}
