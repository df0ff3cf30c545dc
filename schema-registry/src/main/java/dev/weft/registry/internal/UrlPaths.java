package dev.weft.registry.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding of one URL path segment (RFC 3986). {@link java.net.URLEncoder} is for form data: it writes a space
 * as '+', which a path keeps as a plus sign.
 */
public final class UrlPaths {
  private UrlPaths() {}

  /** {@code segment} with every byte outside the unreserved characters percent-encoded, '/' included. */
  public static String encodeSegment(String segment) {
    StringBuilder out = new StringBuilder(segment.length());
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
          || c == '_' || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      }
    }
    return out.toString();
  }

  /**
   * The text of a raw path segment or query value, percent-decoded as UTF-8; '+' stays a plus sign.
   *
   * @throws IllegalArgumentException for a malformed escape
   */
  public static String decode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    int i = 0;
    while (i < raw.length()) {
      int escape = raw.indexOf('%', i);
      int end = escape < 0 ? raw.length() : escape;
      out.writeBytes(raw.substring(i, end).getBytes(StandardCharsets.UTF_8));
      if (escape < 0) {
        break;
      }
      int high = escape + 2 < raw.length() ? Character.digit(raw.charAt(escape + 1), 16) : -1;
      int low = high >= 0 ? Character.digit(raw.charAt(escape + 2), 16) : -1;
      if (low < 0) {
        throw new IllegalArgumentException("malformed percent-escape at position " + escape + " of '" + raw + "'");
      }
      out.write((high << 4) | low);
      i = escape + 3;
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
