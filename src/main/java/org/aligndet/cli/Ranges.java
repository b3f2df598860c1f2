package org.aligndet.cli;

import java.util.function.DoublePredicate;
import org.aligndet.bridge.onnx.OrtSessions;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converters that parse a numeric option and refuse values outside its range, named in the
 * {@code @Option} that declares it ({@code converter = Ranges.AtLeastOne.class}). picocli turns a
 * refusal into a usage error (exit code 2) whose one line names the option and the value:
 * {@code Invalid value for option '--batch': must be at least 1, got '0'}. NaN is outside every range.
 */
final class Ranges {
    private Ranges() {
    }

    /** An integer, at least 1 (counts, sizes, batch sizes, worker threads). */
    static final class AtLeastOne implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return between(value, 1, Integer.MAX_VALUE);
        }
    }

    /** A long, at least 1 (iterations, pixel counts). */
    static final class AtLeastOneLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return integer(value, 1, Long.MAX_VALUE);
        }
    }

    /** An integer, at least 0 (0 meaning off or "the library's default"). */
    static final class NonNegative implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return between(value, 0, Integer.MAX_VALUE);
        }
    }

    /** An integer, at least -1 (mmdetection's {@code frozen_stages}: -1 freezes nothing). */
    static final class AtLeastMinusOne implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return between(value, -1, Integer.MAX_VALUE);
        }
    }

    /** A finite number above 0 (learning rates, floors). */
    static final class Positive implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return real(value, v -> v > 0 && v < Double.POSITIVE_INFINITY, "a finite number above 0");
        }
    }

    /** A number at least 0, infinity allowed for "no bound" (tolerances, sizes in pixels). */
    static final class NonNegativeReal implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return real(value, v -> v >= 0, "a number at least 0");
        }
    }

    /** A number at least 1 (largest aspect ratios). */
    static final class AtLeastOneReal implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return real(value, v -> v >= 1, "a number at least 1");
        }
    }

    /** A number in [0, 1] (IoU thresholds, shares). */
    static final class UnitInterval implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return real(value, v -> v >= 0 && v <= 1, "a number in [0, 1]");
        }
    }

    /** A number in [0, 1] held as a float (score thresholds). */
    static final class UnitIntervalFloat implements ITypeConverter<Float> {
        @Override
        public Float convert(String value) {
            return new UnitInterval().convert(value).floatValue();
        }
    }

    /** A number in (0, 1] (fractions of a data set, of positives). */
    static final class Fraction implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return real(value, v -> v > 0 && v <= 1, "a number in (0, 1]");
        }
    }

    /** A number in [0, 1) (SGD weight decay). */
    static final class WeightDecay implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return real(value, v -> v >= 0 && v < 1, "a number in [0, 1)");
        }
    }

    /**
     * A device name: auto, cpu, cuda, cuda:N (the syntax both torch's and ONNX Runtime's
     * {@code --device} accept; whether the device exists is known only when it is used).
     */
    static final class DeviceName implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                OrtSessions.cudaDevice(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            return value;
        }
    }

    /** An integer in {@code [min, max]}, for converters of one command's own ranges. */
    static int between(String value, int min, int max) {
        return (int) integer(value, min, max);
    }

    private static long integer(String value, long min, long max) {
        long v;
        try {
            v = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw refuse("an integer", value);
        }
        if (v < min) {
            throw refuse("at least " + min, value);
        }
        if (v > max) {
            throw refuse("at most " + max, value);
        }
        return v;
    }

    private static double real(String value, DoublePredicate inRange, String what) {
        double v;
        try {
            v = Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw refuse("a number", value);
        }
        if (!inRange.test(v)) {
            throw refuse(what, value);
        }
        return v;
    }

    private static TypeConversionException refuse(String what, String value) {
        return new TypeConversionException("must be " + what + ", got '" + value + "'");
    }
}
