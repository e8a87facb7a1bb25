package io.cutover.sdn.impl;

import org.projectfloodlight.openflow.protocol.OFErrorMsg;

import java.lang.reflect.Method;

/** The code of an OpenFlow ERROR message, whatever its type (Loxi gives each type its own {@code getCode()}). */
final class ErrorCodes {
    private ErrorCodes() {
    }

    static String code(OFErrorMsg error) {
        try {
            Method getCode = error.getClass().getMethod("getCode");
            return String.valueOf(getCode.invoke(error));
        } catch (ReflectiveOperationException e) {
            try {
                Method subtype = error.getClass().getMethod("getSubtype");
                return "experimenter subtype " + subtype.invoke(error);
            } catch (ReflectiveOperationException ignored) {
                return "unknown";
            }
        }
    }
}
