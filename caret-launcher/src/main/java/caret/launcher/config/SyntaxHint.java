package caret.launcher.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;

/**
 * Says in plain words what a JSON syntax error from Jackson means and how to fix it: a missing or
 * trailing comma, an unquoted name, a comment. Never repeats the text at the error, which may be a
 * secret.
 */
final class SyntaxHint {

    private static final Pattern UNEXPECTED = Pattern.compile("^Unexpected character \\('(.)' \\(code \\d+\\)\\)");
    private static final String A_VALUE = "text in double quotes, a number, true, false, null, {…} or […]";

    private SyntaxHint() {
    }

    /**
     * @param error what Jackson threw
     * @param content the file, to see what comes before the error
     */
    static String describe(JacksonException error, byte[] content) {
        String jackson = String.valueOf(error.getOriginalMessage());
        Matcher unexpected = UNEXPECTED.matcher(jackson);
        char found = unexpected.find() ? unexpected.group(1).charAt(0) : 0;
        boolean afterComma = lastNonSpaceBefore(content, error.getLocation().getByteOffset()) == ',';
        if (found == '}' && afterComma) {
            return "trailing comma: the last property before } has a comma after it; remove that comma";
        }
        if (found == ']' && afterComma) {
            return "trailing comma: the last item before ] has a comma after it; remove that comma";
        }
        if (found == '\'') {
            return "single quotes are not JSON; use double quotes: \"name\": \"value\"";
        }
        if (found == '/' || found == '#') {
            return "JSON has no comments; remove the comment";
        }
        if (jackson.contains("double-quote to start property name")) {
            return "expected a property name in double quotes, e.g. \"host\"; JSON needs quotes around every name";
        }
        if (jackson.contains("comma to separate Object entries")) {
            return "missing comma: put a comma after the previous property, before this one";
        }
        if (jackson.contains("comma to separate Array entries")) {
            return "missing comma: put a comma after the previous item, before this one";
        }
        if (jackson.contains("colon to separate")) {
            return "missing colon: write \"name\": value";
        }
        if (jackson.startsWith("Unrecognized token")) {
            return "text must be in double quotes, e.g. \"db.example.com\"; the only bare words in JSON are true, false and null";
        }
        if (jackson.contains("close marker for Object")) {
            return "the file ends inside an object: a closing } is missing";
        }
        if (jackson.contains("close marker for Array")) {
            return "the file ends inside a list: a closing ] is missing";
        }
        if (jackson.contains("end-of-input")) {
            return "the file ends inside a text value: its closing double quote is missing";
        }
        if (jackson.contains("CTRL-CHAR")) {
            return "a line break or tab inside a text value; close the quotes on the same line, or write \\n or \\t";
        }
        if (jackson.contains("Leading zeroes")) {
            return "a number cannot start with 0; write 8, not 08";
        }
        if (jackson.contains("character escape")) {
            return "unknown escape after a backslash; write \\\\ for a backslash, as in \"C:\\\\Users\"";
        }
        if (jackson.contains("Non-standard token")) {
            return "NaN and Infinity are not JSON numbers; write a number";
        }
        if (jackson.contains("plus sign")) {
            return "a number cannot start with +; write 22, not +22";
        }
        if (jackson.contains("Unexpected close marker")) {
            return "this } or ] closes nothing; remove it";
        }
        if (jackson.contains("UTF-8") || jackson.contains("UTF8")) {
            return "this is not UTF-8 text; save the file as UTF-8";
        }
        if (jackson.contains("expected a value") || jackson.contains("expected a valid value")) {
            return "expected a value: " + A_VALUE;
        }
        return "this is not valid JSON (" + jackson + ")";
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
