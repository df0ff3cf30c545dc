package dev.weft.connectors;

import java.util.ArrayList;
import java.util.List;

/**
 * What a word is, for every function that splits text into words: a run of characters between whitespace, as Java's
 * {@link Character#isWhitespace} (and Python's {@code str.split()} for ASCII) defines it.
 */
public final class Words {
  private Words() {}

  /** Whether {@code c} separates words: space, tab, the line and page breaks, the separators 0x1C-0x1F, and others. */
  public static boolean isSpace(char c) {
    return c <= ' ' ? c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\u001c' && c <= '\u001f')
        : c > '\u007f' && Character.isWhitespace(c);
  }

  /** Whether the ASCII byte {@code b} separates words, as {@link #isSpace(char)}. */
  public static boolean isSpace(byte b) {
    return b == ' ' || (b >= '\t' && b <= '\r') || (b >= 0x1c && b <= 0x1f);
  }

  /** The words of {@code text}, none empty. */
  public static List<String> split(String text) {
    List<String> words = new ArrayList<>(16);
    int length = text.length();
    int start = -1;
    for (int i = 0; i < length; i++) {
      if (isSpace(text.charAt(i))) {
        if (start >= 0) {
          words.add(text.substring(start, i));
          start = -1;
        }
      } else if (start < 0) {
        start = i;
      }
    }
    if (start >= 0) {
      words.add(text.substring(start));
    }
    return words;
  }
}
