package caret.launcher.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;

/**
 * Says in plain words what a JSON syntax error from Jackson means and how to fix it: a missing or
 * trailing comma, an unquoted name, a comment. Never repeats the text at the error, which may be a
 * secret.
 *
 * @param words the explanation
 * @param betweenEntries whether the error lies between the entries of an object or list (a comma,
 *     a name, a closing bracket), so it belongs to the object or list rather than to the entry
 *     before it
 */
record SyntaxHint(String words, boolean betweenEntries) {

    private static final Pattern UNEXPECTED = Pattern.compile("^Unexpected character \\('(.)' \\(code \\d+\\)\\)");
    private static final String A_VALUE = "text in double quotes, a number, true, false, null, {…} or […]";

    /**
     * @param error what Jackson threw
     * @param content the file, to see what comes before the error
     */
    static SyntaxHint describe(JacksonException error, byte[] content) {
        String jackson = String.valueOf(error.getOriginalMessage());
        Matcher unexpected = UNEXPECTED.matcher(jackson);
        char found = unexpected.find() ? unexpected.group(1).charAt(0) : 0;
        boolean afterComma = lastNonSpaceBefore(content, error.getLocation().getByteOffset()) == ',';
        if (found == '}' && afterComma) {
            return new SyntaxHint("trailing comma: the last property before } has a comma after it; remove that comma", true);
        }
        if (found == ']' && afterComma) {
            return new SyntaxHint("trailing comma: the last item before ] has a comma after it; remove that comma", true);
        }
        if (found == '\'') {
            return new SyntaxHint("single quotes are not JSON; use double quotes: \"name\": \"value\"", false);
        }
        if (found == '/' || found == '#') {
            return new SyntaxHint("JSON has no comments; remove the comment", false);
        }
        if (jackson.contains("double-quote to start property name")) {
            return new SyntaxHint("expected a property name in double quotes, e.g. \"host\"; JSON needs quotes around every name", true);
        }
        if (jackson.contains("comma to separate Object entries")) {
            return new SyntaxHint("missing comma: put a comma after the previous property, before this one", true);
        }
        if (jackson.contains("comma to separate Array entries")) {
            return new SyntaxHint("missing comma: put a comma after the previous item, before this one", true);
        }
        if (jackson.contains("colon to separate")) {
            return new SyntaxHint("missing colon: write \"name\": value", false);
        }
        if (jackson.startsWith("Unrecognized token")) {
            return new SyntaxHint("text must be in double quotes, e.g. \"db.example.com\"; the only bare words in JSON are true, false and null", false);
        }
        if (jackson.contains("close marker for Object")) {
            return new SyntaxHint("the file ends inside an object: a closing } is missing", true);
        }
        if (jackson.contains("close marker for Array")) {
            return new SyntaxHint("the file ends inside a list: a closing ] is missing", true);
        }
        if (jackson.contains("end-of-input")) {
            return new SyntaxHint("the file ends inside a text value: its closing double quote is missing", false);
        }
        if (jackson.contains("CTRL-CHAR")) {
            return new SyntaxHint("a line break or tab inside a text value; close the quotes on the same line, or write \\n or \\t", false);
        }
        if (jackson.contains("Leading zeroes")) {
            return new SyntaxHint("a number cannot start with 0; write 8, not 08", false);
        }
        if (jackson.contains("character escape")) {
            return new SyntaxHint("unknown escape after a backslash; write \\\\ for a backslash, as in \"C:\\\\Users\"", false);
        }
        if (jackson.contains("Non-standard token")) {
            return new SyntaxHint("NaN and Infinity are not JSON numbers; write a number", false);
        }
        if (jackson.contains("plus sign")) {
            return new SyntaxHint("a number cannot start with +; write 22, not +22", false);
        }
        if (jackson.contains("Unexpected close marker")) {
            return new SyntaxHint("this } or ] closes nothing; remove it", true);
        }
        if (jackson.contains("UTF-8") || jackson.contains("UTF8")) {
            return new SyntaxHint("this is not UTF-8 text; save the file as UTF-8", false);
        }
        if (jackson.contains("expected a value") || jackson.contains("expected a valid value")) {
            return new SyntaxHint("expected a value: " + A_VALUE, false);
        }
        return new SyntaxHint("this is not valid JSON (" + jackson + ")", false);
    }

    private static int lastNonSpaceBefore(byte[] content, long offset) {
        for (long i = Math.min(offset, content.length) - 1; i >= 0; i--) {
            byte b = content[(int) i];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return b;
            }
        }
        return -1;
    }
}
