import { describeRecipe } from "../test/recipe-suite.js";

// One file per tfjs backend, so each runs in its own worker (and its own tfjs engine).
describeRecipe("wasm");
