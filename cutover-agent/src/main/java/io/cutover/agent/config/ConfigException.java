package io.cutover.agent.config;

/** A configuration file is unreadable or holds a bad value; the message names the file, the key and the problem. */
public class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String file, String key, String problem) {
        super(file + ": " + key + ": " + problem);
    }
}
