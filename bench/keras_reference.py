"""The question's autoencoder in Keras, exactly as its code builds and compiles it: the
reference that the benchmark times and the parity test compares losslens's steps with."""
from keras import Input, Model, layers


def build(side, jit_compile="auto"):
    inputs = Input(shape=(side, side, 1))
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(inputs)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = layers.UpSampling2D((2, 2))(x)
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = layers.UpSampling2D((2, 2))(x)
    outputs = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
    model = Model(inputs, outputs)
    # "auto" is compile()'s default; the benchmark also times jit_compile=True (XLA).
    model.compile(optimizer="adam", loss="binary_crossentropy", jit_compile=jit_compile)
    return model
