/**
 * 60 short factual questions with one well-known answer each, for the local model's
 * answer-accuracy figure. `answers` are accepted aliases: an answer counts as right when
 * it contains one of them as whole words (see answerMatches). Numbers are given as digits
 * and as words; no accepted alias appears in its own question, so echoing the question
 * scores nothing.
 */
export interface FactualQuestion {
  readonly question: string;
  readonly answers: readonly string[];
}

export const FACTUAL_QUESTIONS: readonly FactualQuestion[] = [
  // Capitals
  { question: "What is the capital of France?", answers: ["Paris"] },
  { question: "What is the capital of Japan?", answers: ["Tokyo"] },
  { question: "What is the capital of Italy?", answers: ["Rome", "Roma"] },
  { question: "What is the capital of Germany?", answers: ["Berlin"] },
  { question: "What is the capital of Spain?", answers: ["Madrid"] },
  { question: "What is the capital of the United Kingdom?", answers: ["London"] },
  { question: "What is the capital of Canada?", answers: ["Ottawa"] },
  { question: "What is the capital of China?", answers: ["Beijing", "Peking"] },

  // Science
  { question: "What is the chemical symbol for gold?", answers: ["Au"] },
  { question: "Which gas do plants take in from the air to make food?", answers: ["carbon dioxide", "CO2"] },
  { question: "At how many degrees Celsius does water boil at sea level?", answers: ["100", "one hundred"] },
  { question: "What is the chemical formula of water?", answers: ["H2O"] },
  { question: "Which planet is known as the Red Planet?", answers: ["Mars"] },
  { question: "What is the largest planet in our solar system?", answers: ["Jupiter"] },
  { question: "Which organ pumps blood through the human body?", answers: ["heart"] },
  { question: "What force pulls objects toward the Earth?", answers: ["gravity", "gravitation", "gravitational"] },
  { question: "Which planet is closest to the Sun?", answers: ["Mercury"] },
  { question: "What is the hardest natural substance?", answers: ["diamond", "diamonds"] },

  // Math and counting
  { question: "What is 7 plus 8?", answers: ["15", "fifteen"] },
  { question: "What is 6 times 7?", answers: ["42", "forty-two"] },
  { question: "What is 12 times 12?", answers: ["144", "one hundred forty-four", "one hundred and forty-four"] },
  { question: "What is 100 divided by 4?", answers: ["25", "twenty-five"] },
  { question: "What is 9 times 9?", answers: ["81", "eighty-one"] },
  { question: "What is 20 minus 7?", answers: ["13", "thirteen"] },
  { question: "How many sides does a hexagon have?", answers: ["6", "six"] },
  { question: "How many minutes are in an hour?", answers: ["60", "sixty"] },
  { question: "How many hours are in a day?", answers: ["24", "twenty-four"] },
  { question: "How many months are in a year?", answers: ["12", "twelve"] },

  // Animals
  { question: "How many legs does a spider have?", answers: ["8", "eight"] },
  { question: "What is the largest animal on Earth?", answers: ["blue whale", "blue whales"] },
  { question: "What is the fastest land animal?", answers: ["cheetah", "cheetahs"] },
  { question: "What is a baby dog called?", answers: ["puppy", "pup", "puppies"] },
  { question: "What is a baby cat called?", answers: ["kitten", "kitty", "kittens"] },
  { question: "Which animal is known as the king of the jungle?", answers: ["lion", "lions"] },
  { question: "Which insect makes honey?", answers: ["bee", "bees", "honeybee", "honeybees", "honey bee", "honey bees"] },
  { question: "Which animal has the longest neck?", answers: ["giraffe", "giraffes"] },
  { question: "Which farm animal says moo?", answers: ["cow", "cows", "cattle"] },

  // Geography
  { question: "What is the largest ocean on Earth?", answers: ["Pacific"] },
  { question: "What is the tallest mountain in the world?", answers: ["Everest"] },
  { question: "What is the longest river in Africa?", answers: ["Nile"] },
  { question: "What is the largest country in the world by area?", answers: ["Russia", "Russian Federation"] },
  { question: "How many continents are there?", answers: ["7", "seven"] },
  { question: "What is the name of the large desert in North Africa?", answers: ["Sahara"] },
  { question: "In which country are the pyramids of Giza?", answers: ["Egypt"] },
  { question: "Which European country is shaped like a boot?", answers: ["Italy"] },

  // History
  { question: "Who was the first president of the United States?", answers: ["George Washington", "Washington"] },
  { question: "In which year did World War II end?", answers: ["1945"] },
  { question: "Who wrote Romeo and Juliet?", answers: ["Shakespeare"] },
  { question: "Who painted the Mona Lisa?", answers: ["Leonardo", "da Vinci"] },
  { question: "Who was the first person to walk on the Moon?", answers: ["Neil Armstrong", "Armstrong"] },
  { question: "In which year did Columbus first sail to the Americas?", answers: ["1492"] },
  { question: "Which ship sank in 1912 after hitting an iceberg?", answers: ["Titanic"] },
  { question: "Which scientist developed the theory of relativity?", answers: ["Einstein"] },

  // Language
  { question: "What is the opposite of hot?", answers: ["cold"] },
  { question: "What is the plural of mouse?", answers: ["mice"] },
  { question: "How do you say hello in Spanish?", answers: ["hola"] },
  { question: "How do you say thank you in French?", answers: ["merci"] },
  { question: "What language is mainly spoken in Brazil?", answers: ["Portuguese"] },
  { question: "What is the past tense of go?", answers: ["went"] },
  { question: "How many letters are in the English alphabet?", answers: ["26", "twenty-six"] },
];

/**
 * Words and numbers of `text`, lower-cased, accents and punctuation dropped: "H₂O" → ["h2o"],
 * "Forty-two." → ["forty", "two"]. A decimal stays one token ("100.5" is not "100") and a
 * thousands separator goes ("1,945" is "1945").
 */
function tokens(text: string): string[] {
  const plain = text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  const found = plain.match(/\d+(?:[.,]\d+)*|[\p{L}\p{N}]+/gu) ?? [];
  return found.map((token) => token.replace(/(\d),(?=\d{3}(?:\D|$))/g, "$1"));
}

/** True when `answer` contains one of `accepted` as whole words, ignoring case and punctuation. */
export function answerMatches(answer: string, accepted: readonly string[]): boolean {
  const haystack = ` ${tokens(answer).join(" ")} `;
  return accepted.some((alias) => {
    const needle = tokens(alias).join(" ");
    return needle.length > 0 && haystack.includes(` ${needle} `);
  });
}
