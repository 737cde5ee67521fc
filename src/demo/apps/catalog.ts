// The demo's data: a small fixed catalog of books and authors.

export interface BookRecord {
  id: number;
  title: string;
  authorId: number;
  year: number;
}

export const AUTHORS: Record<number, string> = {
  1: 'Ursula K. Le Guin',
  2: 'Stanisław Lem',
  3: 'Octavia E. Butler',
  4: 'Iain M. Banks',
};

export const BOOKS: BookRecord[] = [
  { id: 1, title: 'The Dispossessed', authorId: 1, year: 1974 },
  { id: 2, title: 'Solaris', authorId: 2, year: 1961 },
  { id: 3, title: 'Kindred', authorId: 3, year: 1979 },
  { id: 4, title: 'The Player of Games', authorId: 4, year: 1988 },
  { id: 5, title: 'The Left Hand of Darkness', authorId: 1, year: 1969 },
  { id: 6, title: 'The Cyberiad', authorId: 2, year: 1965 },
  { id: 7, title: 'Parable of the Sower', authorId: 3, year: 1993 },
  { id: 8, title: 'Use of Weapons', authorId: 4, year: 1990 },
  { id: 9, title: 'A Wizard of Earthsea', authorId: 1, year: 1968 },
  { id: 10, title: "His Master's Voice", authorId: 2, year: 1968 },
];
